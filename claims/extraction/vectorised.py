"""The character n-gram sums of many sentences at once, with numpy: stage 1's batch path.

Scoring one sentence in pure Python (``Scorer._wording``) costs about one dictionary lookup per
character; over an article, that loop is most of stage 1's time. Here the sentences of a
batch are laid end to end and every character n-gram (2 to 5 characters) of every sentence is
looked up with a handful of numpy operations over the whole batch. The result is the same sum
as the pure path, n-gram for n-gram (up to the order in which floating-point numbers add):

1. the model's n-grams use a small alphabet (59 characters for the bundled model): each
   character gets an id from 1 to K; any other character, and the separator put between two
   sentences, gets the id K + 1, which no n-gram of the model holds;
2. the model's n-grams and their prefixes form a trie stored as one array per depth: the state
   after n characters is ``level[n][state * base + id]`` (0 is the dead state: no n-gram of the
   model begins this way). Walking five characters from every position of the batch is five
   array lookups over the batch; a window that reaches a separator or an unknown character dies
   there, exactly as the pure path finds no n-gram holding it;
3. each state of depth n carries the weight of the n-gram it spells (0 when that prefix is not
   itself an n-gram of the model); a position's weight is the sum over depths 2 to 5;
4. ``numpy.add.reduceat`` sums each sentence's positions.

The tables take about 3 MB for the bundled model (state ids fit 16 bits when the trie is small
enough, 32 bits otherwise). Optional: numpy is imported by ``build`` only; where it is missing,
``build`` returns None and the scorer keeps its pure-Python path. No Django.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from typing import Any

from claims.extraction.features import CHAR_NGRAM_RANGE


class CharNgramTables:
    """The model's character n-grams as a trie of arrays, one level per character."""

    def __init__(self, numpy: Any, char_weights: Mapping[str, complex]) -> None:
        """Build the trie; ``numpy`` is the module (imported by ``build``)."""
        self.np = numpy
        alphabet = sorted({character for gram in char_weights for character in gram})
        self.unknown = len(alphabet) + 1
        self.base = 1 << self.unknown.bit_length()  # base > every id
        highest = max(map(ord, alphabet)) if alphabet else 0
        # The id of every code point up to the highest in the alphabet; others are unknown.
        ids = numpy.full(highest + 2, self.unknown, dtype=numpy.int32)
        id_of = {character: index for index, character in enumerate(alphabet, start=1)}
        for character, index in id_of.items():
            ids[ord(character)] = index
        self.ids = ids
        self.depth = CHAR_NGRAM_RANGE[1]
        # State numbers per depth: every prefix of an n-gram of the model, numbered from 1.
        states: list[dict[str, int]] = [{"": 0}]
        for depth in range(1, self.depth + 1):
            prefixes = sorted({gram[:depth] for gram in char_weights if len(gram) >= depth})
            states.append({prefix: number for number, prefix in enumerate(prefixes, start=1)})
        dtype = numpy.uint16 if max(map(len, states)) < 2**16 else numpy.int32
        self.levels: list[Any] = [None]
        self.weights: list[Any] = [None]
        for depth in range(1, self.depth + 1):
            level = numpy.zeros(
                (max(states[depth - 1].values(), default=0) + 1) * self.base, dtype=dtype
            )
            above = states[depth - 1]
            for prefix, number in states[depth].items():
                parent = 0 if depth == 1 else above[prefix[:-1]]
                level[parent * self.base + id_of[prefix[-1]]] = number
            weights = numpy.zeros(len(states[depth]) + 1, dtype=complex)
            for prefix, number in states[depth].items():
                weights[number] = char_weights.get(prefix, 0j)
            self.levels.append(level)
            self.weights.append(weights)

    def sums(self, padded: Sequence[str]) -> list[complex]:
        """For each padded sentence (``" " + folded + " "``), its summed character n-gram weights.

        Every string must be non-empty (a padded sentence always is).
        """
        return list(self.sum_array(padded).tolist())

    def sum_array(self, padded: Sequence[str]) -> Any:
        """``sums`` as a numpy array of complex numbers."""
        np = self.np
        if not padded:
            return np.zeros(0, dtype=complex)
        # A separator after every sentence: windows stop there, as at the end of a string.
        separator = "\x00"
        joined = separator.join(padded) + separator * self.depth
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
        ids = self.ids[np.minimum(codes, len(self.ids) - 1)]
        ids[codes == 0] = self.unknown
        total = len(ids) - self.depth
        starts = np.zeros(len(padded), dtype=np.int64)
        np.cumsum(
            np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))[:-1] + 1,
            out=starts[1:],
        )
        state = self.levels[1][ids[:total]].astype(np.int32)
        weights = np.zeros(total, dtype=complex)
        for depth in range(2, self.depth + 1):
            state *= self.base
            state += ids[depth - 1 : depth - 1 + total]
            state = self.levels[depth][state].astype(np.int32)
            if depth >= CHAR_NGRAM_RANGE[0]:
                weights += self.weights[depth][state]
        return np.add.reduceat(weights, starts)


class WordTables:
    """The model's word n-grams (tokens and pairs of tokens) as integer keys.

    Every word the model knows, alone or in a pair, gets an id from 1 (0: any other word).
    A token's weight is ``unigrams[id]``; a pair's key is ``first id * base + second id``,
    found among the model's sorted pair keys with one ``searchsorted`` over the batch. One
    dictionary lookup per token, where looking pairs up by their text costs two string
    concatenations and a lookup of a string never hashed before per pair.
    """

    def __init__(self, numpy: Any, word_weights: Mapping[str, complex]) -> None:
        np = self.np = numpy
        pairs = {gram: gram.split(" ") for gram in word_weights if " " in gram}
        if any(len(parts) != 2 for parts in pairs.values()):
            raise ValueError("a word n-gram has more than two words")
        words = sorted(
            {gram for gram in word_weights if " " not in gram}.union(*map(set, pairs.values()))
        )
        self.ids = {word: number for number, word in enumerate(words, start=1)}
        self.base = len(words) + 1
        self.unigrams = np.zeros(self.base, dtype=complex)
        for word, number in self.ids.items():
            self.unigrams[number] = word_weights.get(word, 0j)
        keys = np.fromiter(
            (self.ids[a] * self.base + self.ids[b] for a, b in pairs.values()),
            dtype=np.int64,
            count=len(pairs),
        )
        order = np.argsort(keys)
        self.pair_keys = keys[order]
        self.pair_weights = np.fromiter(
            (word_weights[gram] for gram in pairs), dtype=complex, count=len(pairs)
        )[order]

    def sums(self, token_lists: Sequence[list[str]]) -> list[complex]:
        """For each sentence's tokens, the summed weights of its tokens and pairs of tokens."""
        return list(self.sum_array(token_lists).tolist())

    def sum_array(self, token_lists: Sequence[list[str]]) -> Any:
        """``sums`` as a numpy array of complex numbers (0 for a sentence without tokens).

        Pairs across two sentences are looked up too, and left out of both sums;
        ``numpy.add.reduceat`` sums each sentence.
        """
        np = self.np
        counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        flat = list(chain.from_iterable(token_lists))
        size = len(flat)
        # Token k's id at k, and a 0 at the end, so that every sentence, empty ones included,
        # starts at an index that exists.
        ids = np.zeros(size + 1, dtype=np.int64)
        ids[:size] = np.fromiter(map(self.ids.get, flat, repeat(0)), dtype=np.int64, count=size)
        weights = self.unigrams[ids]
        weights[size] = 0
        starts = np.cumsum(counts) - counts
        if size > 1 and len(self.pair_keys):
            # The pair joining tokens k - 1 and k, at k.
            keys = ids[:-2] * self.base + ids[1:-1]
            known = (ids[:-2] > 0) & (ids[1:-1] > 0)
            found = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
            hit = known & (self.pair_keys[found] == keys)
            pairs = np.zeros(size + 1, dtype=complex)
            pairs[1:size] = np.where(hit, self.pair_weights[found], 0)
            pairs[starts] = 0  # the pair ending at a sentence's first token spans two sentences
            weights += pairs
        totals = np.add.reduceat(weights, starts)
        return np.where(counts > 0, totals, 0)


def build(char_weights: Mapping[str, complex]) -> CharNgramTables | None:
    """The batch tables for a model, or None where numpy or the alphabet size rules them out."""
    try:
        numpy = importlib.import_module("numpy")
    except ImportError:
        return None
    low, high = CHAR_NGRAM_RANGE
    if low != 2 or any(not low <= len(gram) <= high for gram in char_weights):
        return None
    return CharNgramTables(numpy, char_weights)
