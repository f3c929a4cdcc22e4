"""A synthetic translation task for an encoder-decoder transformer: normalise dates (lesson 07).

The source is a date written in one of many human formats ("Sat 21 Nov 2026", "11/21/2026",
"the 21st of November, 2026"); the target is always ISO 8601, "2026-11-21". It is small
enough to train on a CPU in a minute, and every output character has a clear source: the
year digits of the output should read the year digits of the input, which the cross-attention
maps show. The task follows the date-translation exercise made popular by neural machine
translation tutorials (e.g. Bahdanau et al., 2015, applied to dates); the code is the course's own.

The model is built from lesson 06's `EncoderBlock` and `DecoderBlock` (course_utils.reference.blocks).

    examples = make_examples(5000, seed=0)
    model = DateTranslator()
    history = train_dates(model, examples, steps=1500)
    exact_match(model, make_examples(200, seed=1))  # about 1.0 once trained

Greedy decoding is an exercise of lesson 07; its answer, `translate`, is in
`course_utils.reference.gpt`.
"""

from __future__ import annotations

import datetime as _dt
import math
import random
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.reference import causal_mask, sinusoidal_positional_encoding
from course_utils.reference.blocks import DecoderBlock, EncoderBlock

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<s>", "</s>")
CHARS = (
    SPECIALS
    + tuple(" ,./-'")
    + tuple("0123456789")
    + tuple("abcdefghijklmnopqrstuvwxyz")
    + tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
)
STOI = {c: i for i, c in enumerate(CHARS)}
TARGET_LENGTH = 10  # YYYY-MM-DD


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


# Each format: (name, function of the date -> text). The year is always written with 4 digits,
# so every format can be read without guessing the century.
FORMATS = (
    ("day month year", lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}"),
    ("month day, year", lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}"),
    ("US numeric", lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}"),
    ("European numeric", lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}"),
    ("ISO", lambda d: d.isoformat()),
    (
        "weekday, abbreviated",
        lambda d: (
            f"{WEEKDAYS[d.weekday()][:3]} {d.day} {MONTHS[d.month - 1][:3]} {d.year}"
        ),
    ),
    ("ordinal", lambda d: f"the {_ordinal(d.day)} of {MONTHS[d.month - 1]}, {d.year}"),
    ("upper case", lambda d: f"{MONTHS[d.month - 1].upper()} {d.day} {d.year}"),
    (
        "lower abbreviated",
        lambda d: f"{MONTHS[d.month - 1][:3].lower()} {d.day:02d} {d.year}",
    ),
    ("year first, slashes", lambda d: f"{d.year}/{d.month}/{d.day}"),
    (
        "weekday, full",
        lambda d: (
            f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {_ordinal(d.day)} {d.year}"
        ),
    ),
)


@dataclass(frozen=True)
class DateExample:
    """One source/target pair and where the year sits in the source (characters year_span[0]:year_span[1])."""

    source: str
    target: str
    year_span: tuple[int, int]
    format: str


def make_example(date: _dt.date, format_index: int) -> DateExample:
    """The example for `date` written in FORMATS[format_index] (lesson 07)."""
    name, write = FORMATS[format_index]
    source = write(date)
    year = str(date.year)
    start = (
        source.find(year)
        if name in ("ISO", "year first, slashes")
        else source.rfind(year)
    )
    return DateExample(source, date.isoformat(), (start, start + 4), name)


def make_examples(
    count: int, seed: int = 0, first_year: int = 1900, last_year: int = 2099
) -> list[DateExample]:
    """`count` random dates between the given years, each in a random format (lesson 07)."""
    rng = random.Random(seed)
    start = _dt.date(first_year, 1, 1).toordinal()
    end = _dt.date(last_year, 12, 31).toordinal()
    return [
        make_example(
            _dt.date.fromordinal(rng.randint(start, end)), rng.randrange(len(FORMATS))
        )
        for _ in range(count)
    ]


def encode(text: str) -> list[int]:
    """Character ids of `text`; raises KeyError naming a character outside the task's alphabet."""
    missing = [c for c in text if c not in STOI]
    if missing:
        raise KeyError(f"characters outside the date alphabet: {missing!r}")
    return [STOI[c] for c in text]


def decode(ids) -> str:
    """Text of `ids`, stopping at the first end-of-sequence token and skipping the others."""
    out = []
    for i in ids.tolist() if isinstance(ids, torch.Tensor) else ids:
        if i == EOS:
            break
        if i >= len(SPECIALS):
            out.append(CHARS[i])
    return "".join(out)


def encode_sources(texts) -> torch.Tensor:
    """(B, S) ids, padded at the end with PAD (lesson 07)."""
    rows = [encode(t) for t in texts]
    width = max(len(r) for r in rows)
    return torch.tensor(
        [r + [PAD] * (width - len(r)) for r in rows], dtype=torch.long
    )  # (B, S)


def make_batch(examples):
    """(src (B, S), tgt_in (B, 11), tgt_out (B, 11)): the decoder reads <s> + target and predicts target + </s>."""
    src = encode_sources([e.source for e in examples])
    targets = torch.tensor(
        [encode(e.target) for e in examples], dtype=torch.long
    )  # (B, 10)
    column = torch.full((len(examples), 1), BOS, dtype=torch.long)  # (B, 1)
    tgt_in = torch.cat([column, targets], dim=1)  # (B, 11)
    tgt_out = torch.cat([targets, column.fill_(EOS)], dim=1)  # (B, 11)
    return src, tgt_in, tgt_out


class DateTranslator(nn.Module):
    """A small encoder-decoder transformer (Vaswani et al., 2017) with pre-LN blocks (lesson 07).

    forward(src (B, S), tgt_in (B, T)) -> logits (B, T, vocab). Padding in the source is masked
    out of both the encoder's self-attention and the decoder's cross-attention.
    """

    def __init__(
        self,
        d_model: int = 64,
        num_heads: int = 4,
        d_ff: int = 128,
        num_layers: int = 2,
        max_len: int = 64,
    ):
        super().__init__()
        self.d_model = d_model
        self.src_emb = nn.Embedding(len(CHARS), d_model)
        self.tgt_emb = nn.Embedding(len(CHARS), d_model)
        self.register_buffer(
            "positions",
            sinusoidal_positional_encoding(max_len, d_model),
            persistent=False,
        )
        self.encoder = nn.ModuleList(
            [EncoderBlock(d_model, num_heads, d_ff) for _ in range(num_layers)]
        )
        self.encoder_norm = nn.LayerNorm(d_model)
        self.decoder = nn.ModuleList(
            [DecoderBlock(d_model, num_heads, d_ff) for _ in range(num_layers)]
        )
        self.decoder_norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, len(CHARS))

    def _embed(self, table: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        # No sqrt(d_model) factor here: Vaswani et al. scale embeddings that their reference code
        # (tensor2tensor) starts at about d_model^-1/2, but nn.Embedding starts at about 1, and scaled by 8 the tokens
        # drown the positions (entries of at most 1). The model then cannot tell which digit
        # comes next and swaps them (1903 -> 1930): 32 % exact match instead of 100 %.
        return table(ids) + self.positions[: ids.shape[1]]  # (B, L, D)

    def encode(self, src: torch.Tensor):
        """(memory (B, S, D), source mask (B, 1, 1, S), True at real characters)."""
        keep = (src != PAD)[:, None, None, :]  # (B, S) -> (B, 1, 1, S)
        x = self._embed(self.src_emb, src)
        for block in self.encoder:
            x = block(x, keep)
        return self.encoder_norm(x), keep

    def decode(
        self, tgt_in: torch.Tensor, memory: torch.Tensor, keep: torch.Tensor
    ) -> torch.Tensor:
        x = self._embed(self.tgt_emb, tgt_in)
        causal = causal_mask(tgt_in.shape[1], device=tgt_in.device)  # (T, T)
        for block in self.decoder:
            x = block(x, memory, causal, keep)
        return self.head(self.decoder_norm(x))  # (B, T, vocab)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        memory, keep = self.encode(src)
        return self.decode(tgt_in, memory, keep)

    def cross_attention(self) -> list[torch.Tensor]:
        """The last cross-attention weights of each decoder layer, each (B, H, T, S)."""
        return [block.cross_attn.attn_weights for block in self.decoder]


def train_dates(
    model: DateTranslator,
    examples,
    steps: int = 1500,
    batch_size: int = 64,
    lr: float = 2e-3,
    seed: int = 0,
    progress: bool = False,
) -> list[float]:
    """Train with AdamW and cross-entropy, warm-up then cosine decay; returns the loss of every step (lesson 07)."""
    rng = random.Random(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    device = next(model.parameters()).device
    losses = []
    steps_iter = range(steps)
    if progress:
        from tqdm.auto import tqdm

        steps_iter = tqdm(steps_iter, unit="step")
    model.train()
    for step in steps_iter:
        for group in optimizer.param_groups:
            warm = min(1.0, (step + 1) / max(1, steps // 10))
            group["lr"] = (
                lr * warm * 0.5 * (1 + math.cos(math.pi * step / max(1, steps)))
            )
        src, tgt_in, tgt_out = (
            t.to(device) for t in make_batch(rng.sample(examples, batch_size))
        )
        logits = model(src, tgt_in)  # (B, T, vocab)
        loss = F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1)
        )  # (B*T, vocab)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        if progress:
            steps_iter.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
    return losses


def exact_match(model: DateTranslator, examples, decode_fn=None) -> float:
    """Fraction of examples translated exactly right (lesson 07).

    `decode_fn(model, texts)` returns the translations as text; None uses the course's greedy
    decoding, `course_utils.reference.gpt.translate` (an answer of lesson 07).
    """
    if decode_fn is None:
        from course_utils.reference.gpt import translate as decode_fn
    outputs = decode_fn(model, [e.source for e in examples])
    return sum(o == e.target for o, e in zip(outputs, examples, strict=True)) / len(
        examples
    )


@torch.no_grad()
def cross_attention_maps(model: DateTranslator, example: DateExample) -> torch.Tensor:
    """Cross-attention of each decoder layer while reading the correct target: (layers, H, 11, S) (lesson 07)."""
    model.eval()
    src, tgt_in, _ = make_batch([example])
    device = next(model.parameters()).device
    model(src.to(device), tgt_in.to(device))
    return torch.stack(
        [w[0] for w in model.cross_attention()]
    ).cpu()  # (layers, H, T, S)


@torch.no_grad()
def year_attention_share(model: DateTranslator, examples) -> torch.Tensor:
    """Per layer, the mean cross-attention weight (averaged over heads) that the output's year
    characters put on the input's year characters; (layers,) in [0, 1] (lesson 07).

    The queries are decoder positions 0..3: having read <s> and the first 0..3 year digits, each
    predicts the next year digit.
    """
    model.eval()
    device = next(model.parameters()).device
    src, tgt_in, _ = make_batch(examples)
    model(src.to(device), tgt_in.to(device))
    on_year = torch.zeros(src.shape)  # (B, S), 1 on the year characters
    for row, e in enumerate(examples):
        on_year[row, e.year_span[0] : e.year_span[1]] = 1.0
    shares = []
    for weights in model.cross_attention():  # (B, H, T, S)
        mean = weights.mean(dim=1)[
            :, 0:4, :
        ].cpu()  # (B, 4, S): queries predicting the year digits
        shares.append(float((mean * on_year[:, None, :]).sum(-1).mean()))
    return torch.tensor(shares)
