"""Text corpora, a character tokenizer and batches for language modelling (lesson 07).

The default corpus ships with Python itself, so it is on every machine that runs the course
and nothing is downloaded: the source code of a fixed list of pure-Python standard-library
modules (``python-stdlib``), or only their docstrings, which are English prose
(``python-docs``). Any UTF-8 text file works too:

    text = load_corpus("python-stdlib")          # or load_corpus("my_novel.txt")
    tokenizer = CharTokenizer.from_text(text)
    data = TextData.from_text(text, tokenizer)   # 90 % train, 10 % validation
    x, y = data.batch("train", batch_size=32, block_size=64, generator=torch.Generator().manual_seed(0))
    # y[:, t] is the character that follows x[:, t]: the shift happens here, not in the model.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

# Pure-Python standard-library modules present in every CPython 3.10+ (a missing one is skipped).
STDLIB_MODULES = (
    "argparse",
    "ast",
    "bisect",
    "calendar",
    "cmd",
    "code",
    "configparser",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "difflib",
    "enum",
    "fnmatch",
    "fractions",
    "functools",
    "getopt",
    "gettext",
    "glob",
    "gzip",
    "heapq",
    "inspect",
    "ipaddress",
    "locale",
    "numbers",
    "operator",
    "optparse",
    "pickle",
    "pprint",
    "queue",
    "random",
    "sched",
    "shlex",
    "shutil",
    "statistics",
    "string",
    "tempfile",
    "textwrap",
    "threading",
    "timeit",
    "tokenize",
    "traceback",
    "typing",
    "uuid",
    "warnings",
    "weakref",
    "zipfile",
)
CORPORA = ("python-stdlib", "python-docs")


def stdlib_source_files(modules=STDLIB_MODULES) -> list[Path]:
    """Paths of the standard-library modules' source files found in this Python (lesson 07)."""
    paths = []
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            paths.append(Path(spec.origin))
    return paths


def _docstrings(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(
            node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            doc = ast.get_docstring(node)
            if doc and len(doc) > 40:
                found.append(doc)
    return found


def load_corpus(
    name: str | Path = "python-stdlib", max_chars: int | None = None
) -> str:
    """The text of a named corpus ('python-stdlib', 'python-docs') or of any UTF-8 text file (lesson 07).

    `max_chars` keeps only the beginning. Undecodable bytes in a file become U+FFFD. Raises
    FileNotFoundError, naming the corpora, when `name` is neither a corpus nor a file.
    """
    if str(name) in CORPORA:
        parts = []
        for path in stdlib_source_files():
            source = path.read_text(encoding="utf-8", errors="replace")
            if str(name) == "python-docs":
                parts.extend(_docstrings(source))
            else:
                parts.append(f"# ---- {path.name} ----\n{source}")
            if max_chars is not None and sum(map(len, parts)) >= max_chars:
                break
        text = "\n\n".join(parts)
    else:
        path = Path(name).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"{str(name)!r} is neither a corpus ({', '.join(CORPORA)}) nor a text file"
            )
        text = path.read_text(encoding="utf-8", errors="replace")
    if not text:
        raise ValueError(f"corpus {str(name)!r} is empty")
    return text[:max_chars] if max_chars is not None else text


class CharTokenizer:
    """One token per character; ids follow the sorted character set (lesson 07)."""

    def __init__(self, chars):
        chars = list(chars)
        if len(set(chars)) != len(chars):
            raise ValueError("the character list has duplicates")
        self.itos = chars
        self.stoi = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def encode(self, text: str, errors: str = "strict") -> list[int]:
        """Ids of the characters of `text`; errors='skip' drops characters the tokenizer has never seen."""
        if errors == "skip":
            return [self.stoi[c] for c in text if c in self.stoi]
        unknown = sorted(set(text) - set(self.stoi))
        if unknown:
            raise KeyError(
                f"characters not in the vocabulary: {unknown[:10]!r} (use errors='skip' to drop them)"
            )
        return [self.stoi[c] for c in text]

    def decode(self, ids) -> str:
        if isinstance(ids, torch.Tensor):
            ids = ids.tolist()
        return "".join(self.itos[i] for i in ids)

    def state_dict(self) -> dict:
        return {"chars": list(self.itos)}

    @classmethod
    def from_state_dict(cls, state: dict) -> CharTokenizer:
        return cls(state["chars"])


def encode_text(text: str, tokenizer: CharTokenizer) -> torch.Tensor:
    """The whole text as a 1-D int64 tensor of ids, vectorised (lesson 07)."""
    codes = np.frombuffer(
        text.encode("utf-32-le"), dtype=np.uint32
    )  # one code point per character
    table = np.full(int(codes.max()) + 1 if len(codes) else 1, -1, dtype=np.int64)
    for char, index in tokenizer.stoi.items():
        if ord(char) < len(table):
            table[ord(char)] = index
    ids = table[codes]
    if len(ids) and ids.min() < 0:
        tokenizer.encode(text)  # raises with the offending characters
    return torch.from_numpy(ids)


@dataclass
class TextData:
    """Token ids split into a training and a validation part, and random batches from them (lesson 07)."""

    train: torch.Tensor
    val: torch.Tensor
    tokenizer: CharTokenizer

    @classmethod
    def from_text(
        cls,
        text: str,
        tokenizer: CharTokenizer | None = None,
        val_fraction: float = 0.1,
    ) -> TextData:
        tokenizer = tokenizer or CharTokenizer.from_text(text)
        ids = encode_text(text, tokenizer)
        cut = int(len(ids) * (1 - val_fraction))
        return cls(ids[:cut], ids[cut:], tokenizer)

    def split(self, name: str) -> torch.Tensor:
        if name not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {name!r}")
        return self.train if name == "train" else self.val

    def starts(
        self, split: str, batch_size: int, block_size: int, generator: torch.Generator
    ) -> torch.Tensor:
        """Random start offsets of `batch_size` windows; the same generator state gives the same offsets."""
        ids = self.split(split)
        if len(ids) <= block_size + 1:
            raise ValueError(
                f"the {split} split has {len(ids)} tokens, too few for block_size={block_size}"
            )
        return torch.randint(
            0, len(ids) - block_size - 1, (batch_size,), generator=generator
        )

    def windows(self, split: str, starts: torch.Tensor, block_size: int, device="cpu"):
        """Inputs x and targets y, both (len(starts), block_size), with y[:, t] = x[:, t + 1] shifted by one."""
        ids = self.split(split)
        offsets = starts.unsqueeze(1) + torch.arange(
            block_size + 1
        )  # (B, block_size + 1)
        chunk = ids[offsets]  # (B, block_size + 1)
        x, y = chunk[:, :-1], chunk[:, 1:]  # (B, block_size) each
        if torch.device(device).type == "cuda":
            return x.pin_memory().to(device, non_blocking=True), y.pin_memory().to(
                device, non_blocking=True
            )
        return x.to(device), y.to(device)

    def batch(
        self,
        split: str,
        batch_size: int,
        block_size: int,
        generator: torch.Generator | None = None,
        device="cpu",
    ):
        """A random batch (x, y) of `batch_size` windows of `block_size` tokens (lesson 07)."""
        generator = (
            generator if generator is not None else torch.Generator().manual_seed(0)
        )
        return self.windows(
            split,
            self.starts(split, batch_size, block_size, generator),
            block_size,
            device,
        )
