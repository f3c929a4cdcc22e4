"""Unit tests of course_utils.tasks.phrases, the English-French phrase task of lesson 02."""

from __future__ import annotations

import math

import pytest
import torch

from course_utils.tasks import IGNORE
from course_utils.tasks.phrases import (
    BOS,
    EOS,
    NOUNS,
    PAD,
    SOURCE_INDEX,
    TARGET_INDEX,
    TARGET_WORDS,
    PhraseTranslator,
    alignment_accuracy,
    all_phrases,
    attention_maps,
    encode_batch,
    exact_match,
    make_phrase,
    split_phrases,
    train_phrases,
    translate,
)


def additive(s, h, W_s, W_h, v, mask=None):
    """v . tanh(W_s s + W_h h_j), padding at -inf: the score lesson 02 grades."""
    # (B, 1, A) + (B, S, A) -> (B, S)
    scores = (torch.tanh((s @ W_s)[..., None, :] + h @ W_h) * v).sum(-1)
    return scores if mask is None else scores.masked_fill(~mask, -math.inf)


@pytest.fixture(autouse=True)
def one_thread():
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


def test_colours_follow_the_noun_and_agree_with_it():
    phrase = make_phrase(article=0, noun=0, colour=0)  # the black cat
    assert phrase.english == ("the", "black", "cat")
    assert phrase.french == ("le", "chat", "noir")
    assert phrase.alignment == (0, 2, 1) and phrase.crossed()
    car = NOUNS.index(("car", "voiture", "f"))
    phrase = make_phrase(article=1, noun=car, size=1, colour=1)  # a small white car
    assert phrase.english == ("a", "small", "white", "car")
    assert phrase.french == ("une", "petite", "voiture", "blanche")
    assert phrase.alignment == (0, 1, 3, 2)
    assert phrase.roles == ("article", "size", "noun", "colour")


def test_phrases_without_a_colour_keep_the_order():
    phrase = make_phrase(article=0, noun=1, size=0)  # the big dog
    assert phrase.french == ("le", "grand", "chien")
    assert phrase.alignment == (0, 1, 2) and not phrase.crossed()


def test_every_phrase_is_distinct_and_every_word_has_an_id():
    phrases = all_phrases()
    assert len(phrases) == 216
    assert len({p.english for p in phrases}) == 216
    for p in phrases:
        assert sorted(p.alignment) == list(range(len(p.english)))
        assert all(w in SOURCE_INDEX for w in p.english)
        assert all(w in TARGET_INDEX for w in p.french)
    assert len(TARGET_WORDS) == len(set(TARGET_WORDS))


def test_the_split_holds_out_colour_noun_pairs_entirely():
    train, held_out = split_phrases(seed=0)
    assert len(train) + len(held_out) == 216 and len(held_out) == 36
    pairs = {(p.english[-1], p.english[-2]) for p in held_out}
    assert len(pairs) == len(NOUNS)
    assert not any((p.english[-1], p.english[-2]) in pairs for p in train)
    assert split_phrases(seed=0) == (train, held_out)


def test_batches_are_padded_at_the_end():
    phrases = [make_phrase(0, 0), make_phrase(1, 3, size=0, colour=2)]
    source, target_in, target_out = encode_batch(phrases)
    assert source.shape == (2, 4) and target_in.shape == target_out.shape == (2, 5)
    assert source[0, 2:].tolist() == [PAD, PAD]
    assert target_in[:, 0].tolist() == [BOS, BOS]
    assert target_out[0].tolist() == [
        TARGET_INDEX["le"],
        TARGET_INDEX["chat"],
        EOS,
        IGNORE,
        IGNORE,
    ]
    assert target_in[1, 1:].tolist() == target_out[1, :-1].tolist()


def test_padding_changes_nothing_for_the_shorter_phrase():
    torch.manual_seed(0)
    model = PhraseTranslator()
    short, long = make_phrase(0, 0), make_phrase(1, 3, size=0, colour=2)
    alone = attention_maps(model, [short], additive)[0]
    padded = attention_maps(model, [short, long], additive)[0]
    torch.testing.assert_close(alone, padded)
    assert (
        translate(model, [short], additive)
        == translate(model, [short, long], additive)[:1]
    )


def test_the_model_learns_and_its_attention_is_measured():
    torch.manual_seed(0)
    model = PhraseTranslator()
    train, held_out = split_phrases()
    losses = train_phrases(model, train, additive, steps=60)
    assert losses[-1] < 0.5 * losses[0]
    maps = attention_maps(model, held_out[:5], additive)
    for weights, phrase in zip(maps, held_out[:5], strict=True):
        assert weights.shape == (len(phrase.french), len(phrase.english))
        torch.testing.assert_close(weights.sum(-1), torch.ones(len(phrase.french)))
    shares = alignment_accuracy(maps, held_out[:5])
    assert set(shares) >= {"article", "noun", "colour", "all"}
    assert all(0.0 <= x <= 1.0 for x in shares.values())
    assert 0.0 <= exact_match(model, held_out[:5], additive) <= 1.0


def test_alignment_accuracy_counts_the_largest_weight():
    phrase = make_phrase(0, 0, colour=0)  # le chat noir <- the black cat
    right = torch.tensor([[0.9, 0.05, 0.05], [0.1, 0.1, 0.8], [0.2, 0.7, 0.1]])
    wrong = torch.tensor([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.1, 0.7]])
    assert alignment_accuracy([right], [phrase])["all"] == 1.0
    shares = alignment_accuracy([wrong], [phrase])
    assert shares["article"] == 1.0 and shares["noun"] == 0.0
    assert shares["colour"] == 0.0
