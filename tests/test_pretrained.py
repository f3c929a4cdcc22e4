"""Unit tests of course_utils.pretrained (lesson 09): the weight reader, the WordPiece tokenizer,
the missing-package message, and agreement with the package's own pipeline when it is installed."""

from __future__ import annotations

import json
import struct

import pytest
import torch

from course_utils import pretrained
from course_utils.pretrained import (
    PretrainedMissing,
    WordPieceTokenizer,
    read_safetensors,
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


def write_safetensors(
    path, tensors: dict[str, torch.Tensor], codes: dict[torch.dtype, str]
):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in tensors.items():
        data = tensor.contiguous().numpy().tobytes()
        header[name] = {
            "dtype": codes[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def test_read_safetensors_round_trip(tmp_path):
    tensors = {
        "a.weight": torch.randn(3, 4),
        "b.ids": torch.arange(6, dtype=torch.int64).reshape(1, 6),
        "c.half": torch.randn(5).to(torch.float16),
        "d.empty": torch.zeros(0, 3),
    }
    path = tmp_path / "small.safetensors"
    write_safetensors(
        path, tensors, {torch.float32: "F32", torch.int64: "I64", torch.float16: "F16"}
    )
    loaded = read_safetensors(path)
    assert set(loaded) == set(tensors)
    for name, tensor in tensors.items():
        assert loaded[name].dtype == tensor.dtype and loaded[name].shape == tensor.shape
        assert torch.equal(loaded[name], tensor)
    loaded["a.weight"].add_(1)  # the tensors own writable memory
    assert torch.equal(read_safetensors(path)["a.weight"], tensors["a.weight"])


def test_read_safetensors_unknown_dtype(tmp_path):
    path = tmp_path / "odd.safetensors"
    text = json.dumps(
        {"x": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}
    ).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"\0")
    with pytest.raises(ValueError, match="F8_E4M3"):
        read_safetensors(path)


def test_tokenizer_basic_rules():
    tokenizer = WordPieceTokenizer(SMALL_VOCAB)
    assert tokenizer.tokenize("The  Unaffable café!") == [
        "the",
        "un",
        "##aff",
        "##able",
        "cafe",
        "!",
    ]
    assert tokenizer.tokenize("playing plays, a.") == [
        "play",
        "##ing",
        "play",
        "##s",
        ",",
        "a",
        ".",
    ]
    assert tokenizer.tokenize("unknownword hello") == ["[UNK]", "hello"]
    assert tokenizer.tokenize("3中a") == [
        "3",
        "中",
        "a",
    ]  # CJK characters are split out
    assert tokenizer.tokenize("a\u0000\tthe\u200b") == [
        "a",
        "the",
    ]  # control and format characters dropped
    assert tokenizer.tokenize("h" * 101) == ["[UNK]"]  # over-long words


def test_tokenizer_encode_and_batch():
    tokenizer = WordPieceTokenizer(SMALL_VOCAB)
    assert tokenizer.encode("the cafe") == [2, 4, 8, 3]
    assert tokenizer.encode("the cafe the cafe", max_length=4) == [2, 4, 8, 3]
    ids, mask = tokenizer.batch(["the", "the cafe !"])
    assert ids.tolist() == [[2, 4, 3, 0, 0], [2, 4, 8, 9, 3]]
    assert mask.dtype == torch.bool and mask.tolist() == [
        [True] * 3 + [False] * 2,
        [True] * 5,
    ]
    assert tokenizer.convert_ids_to_tokens([2, 4, 3]) == ["[CLS]", "the", "[SEP]"]


def test_tokenizer_needs_special_tokens():
    with pytest.raises(ValueError, match=r"\[CLS\]"):
        WordPieceTokenizer(["[PAD]", "[UNK]", "[SEP]", "a"])


def test_missing_package_gives_install_command(monkeypatch):
    monkeypatch.setattr(pretrained.importlib.util, "find_spec", lambda name: None)
    assert pretrained.is_available() is False
    with pytest.raises(PretrainedMissing) as caught:
        pretrained.load_config()
    assert pretrained.INSTALL_COMMAND in str(caught.value)
    assert pretrained.REQUIREMENT in pretrained.missing_message()


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
    state[
        "embeddings.word_embeddings.weight"
    ].zero_()  # a caller's change does not leak into the next call
    assert (
        pretrained.load_state_dict()["embeddings.word_embeddings.weight"].abs().sum()
        > 0
    )


@needs_weights
def test_reader_agrees_with_safetensors_library():
    safetensors_torch = pytest.importorskip("safetensors.torch")
    theirs = safetensors_torch.load_file(
        str(pretrained.model_dir() / "model.safetensors")
    )
    ours = pretrained.load_state_dict()
    assert set(ours) == set(theirs)
    for name in theirs:
        assert torch.equal(ours[name], theirs[name]), name


SENTENCES = [
    "The trophy did not fit in the suitcase because it was too big.",
    "Unaffable naïve café owners sold 3.5 crêpes!!",
    "Tokenisation, hyphen-ated words; and (brackets) — dashes… “quotes” 東京 émigré's",
    "   leading and trailing spaces   ",
    "",
    "x" * 150,
    "ÀÉÎÕÜ ß æ ø 12,345.67 $5 @user #tag",
]


@needs_weights
def test_tokenizer_matches_the_package_tokenizer():
    pytest.importorskip("sentence_transformers")
    tokenizer = pretrained.load_tokenizer()
    assert len(tokenizer) == 30522
    for sentence in SENTENCES:
        assert tokenizer.encode(sentence) == pretrained.reference_token_ids(sentence), (
            sentence
        )
    long_text = " ".join(["word"] * 400)
    assert tokenizer.encode(long_text) == pretrained.reference_token_ids(long_text)
    assert len(tokenizer.encode(long_text)) == 256


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
