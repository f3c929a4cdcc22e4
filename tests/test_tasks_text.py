"""Unit tests of course_utils.tasks.text: corpora, the character tokenizer and batches (lesson 07)."""

from __future__ import annotations

import pytest
import torch

from course_utils.tasks.text import (
    CORPORA,
    CharTokenizer,
    TextData,
    encode_text,
    load_corpus,
    stdlib_source_files,
)


def test_stdlib_sources_are_found():
    assert len(stdlib_source_files()) >= 40


@pytest.mark.parametrize("name", CORPORA)
def test_named_corpora_load_the_same_text_every_time(name):
    text = load_corpus(name, max_chars=100_000)
    assert len(text) == 100_000
    assert text == load_corpus(name, max_chars=100_000)


def test_code_corpus_is_python_and_docs_corpus_is_prose():
    assert "def " in load_corpus("python-stdlib", max_chars=50_000)
    docs = load_corpus("python-docs", max_chars=50_000)
    assert " the " in docs and docs.count("def ") < docs.count(" the ")


def test_any_text_file_is_a_corpus(tmp_path):
    path = tmp_path / "poem.txt"
    path.write_text(
        "Tyger Tyger, burning bright,\nIn the forests of the night;\n", encoding="utf-8"
    )
    assert load_corpus(path).startswith("Tyger")
    assert load_corpus(str(path), max_chars=5) == "Tyger"


def test_unknown_corpus_names_the_choices(tmp_path):
    with pytest.raises(FileNotFoundError, match="python-stdlib"):
        load_corpus(tmp_path / "missing.txt")


def test_tokenizer_round_trip_and_unknown_characters():
    tokenizer = CharTokenizer.from_text("hello world")
    assert tokenizer.vocab_size == 8
    ids = tokenizer.encode("hello")
    assert (
        tokenizer.decode(ids) == "hello"
        and tokenizer.decode(torch.tensor(ids)) == "hello"
    )
    with pytest.raises(KeyError, match="z"):
        tokenizer.encode("zoo")
    assert tokenizer.decode(tokenizer.encode("zoo", errors="skip")) == "oo"
    assert CharTokenizer.from_state_dict(tokenizer.state_dict()).itos == tokenizer.itos


def test_vectorised_encoding_matches_the_tokenizer():
    text = load_corpus("python-stdlib", max_chars=20_000) + " é ü → "
    tokenizer = CharTokenizer.from_text(text)
    assert encode_text(text, tokenizer).tolist() == tokenizer.encode(text)


def test_batches_are_shifted_by_one_and_reproducible():
    text = "abcdefghijklmnopqrstuvwxyz" * 20
    data = TextData.from_text(text)
    x, y = data.batch("train", 4, 10, torch.Generator().manual_seed(3))
    assert x.shape == y.shape == (4, 10) and x.dtype == torch.long
    assert torch.equal(x[:, 1:], y[:, :-1])
    assert torch.equal((x + 1) % 26, y)  # the alphabet: each target is the next letter
    x2, _ = data.batch("train", 4, 10, torch.Generator().manual_seed(3))
    assert torch.equal(x, x2)


def test_validation_split_is_the_end_of_the_text():
    data = TextData.from_text("a" * 900 + "b" * 100)
    assert set(data.val.tolist()) == {data.tokenizer.stoi["b"]}
    with pytest.raises(ValueError, match="too few"):
        data.batch("val", 2, 200)
    with pytest.raises(ValueError, match="split"):
        data.split("test")
