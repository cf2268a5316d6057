# Image for web, worker and beat (docker-compose.yml).

# Stage 1's hot path compiled with mypyc (claims/extraction/native.py), in an image that has a C
# compiler; the runtime image below takes only the built modules. Same Python as the runtime.
FROM python:3.11 AS native
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements-build.txt ./
RUN pip install --no-cache-dir -r requirements-build.txt
COPY claims/__init__.py claims/
COPY claims/extraction claims/extraction
COPY scripts/compile_extraction.py scripts/
RUN python scripts/compile_extraction.py --require

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=native /app/claims/extraction/_native claims/extraction/_native
# The Spanish catalogue's .mo (polib: the slim image has no GNU gettext).
RUN python scripts/compile_messages.py
RUN useradd --create-home factcheck && mkdir -p /app/var && chown -R factcheck /app/var
USER factcheck
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only-key-not-used-at-runtime-000000000 \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "factcheck.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
