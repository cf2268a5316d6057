# Image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The Spanish catalogue's .mo (polib: the slim image has no GNU gettext).
RUN python scripts/compile_messages.py
RUN useradd --create-home factcheck && mkdir -p /app/var && chown -R factcheck /app/var
USER factcheck
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only-key-not-used-at-runtime-000000000 \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "factcheck.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
