"""English noun phrases and their French translations, for additive attention (lesson 02).

A tiny translation task whose word alignments cross. In French a colour comes after the
noun ("the black cat" -> "le chat noir"), while a size comes before it, as in English
("the small cat" -> "le petit chat"). Articles and adjectives agree with the noun's
gender ("the black car" -> "la voiture noire"). Every phrase is built here from a few
word lists, with the French word order and agreement written out, and each French word
records the English word it translates: the alignment that a trained attention map can
be measured against (Bahdanau, Cho and Bengio, 2015, section 5.2.1: "Adjectives and nouns
are typically ordered differently between French and English").

The model is a small RNN encoder-decoder in the shape of Bahdanau et al.'s RNNsearch: a
bidirectional GRU encoder writes one annotation h_j per English word, and a GRU decoder,
before each French word, scores every annotation against its previous state s with a
score function the caller passes in (the lesson's additive score), takes a softmax over
the English words and reads the weighted average of the annotations.

    from course_utils.tasks.phrases import PhraseTranslator, split_phrases, train_phrases
    train, held_out = split_phrases()
    model = PhraseTranslator()
    losses = train_phrases(model, train, score, steps=400)
    translate(model, held_out[:3], score)  # e.g. ['un chien vert', ...]

Nothing is downloaded: the phrases are generated.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.tasks import IGNORE
from course_utils.timing import cpu_threads

# (English, French masculine, French feminine)
ARTICLES = (("the", "le", "la"), ("a", "un", "une"))
# Sizes come before the noun in French, as in English.
SIZES = (("big", "grand", "grande"), ("small", "petit", "petite"))
# Colours come after the noun in French.
COLOURS = (
    ("black", "noir", "noire"),
    ("white", "blanc", "blanche"),
    ("green", "vert", "verte"),
    ("blue", "bleu", "bleue"),
    ("red", "rouge", "rouge"),
)
# (English, French, grammatical gender); no noun starts with a vowel, so "le" never
# becomes "l'".
NOUNS = (
    ("cat", "chat", "m"),
    ("dog", "chien", "m"),
    ("horse", "cheval", "m"),
    ("house", "maison", "f"),
    ("car", "voiture", "f"),
    ("flower", "fleur", "f"),
)
ROLES = ("article", "size", "noun", "colour")

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<s>", "</s>")
SOURCE_WORDS = ("<pad>",) + tuple(
    english for table in (ARTICLES, SIZES, COLOURS, NOUNS) for english, *_ in table
)
TARGET_WORDS = (
    SPECIALS
    + tuple(
        dict.fromkeys(
            french
            for table in (ARTICLES, SIZES, COLOURS)
            for _, *forms in table
            for french in forms
        )
    )
    + tuple(french for _, french, _ in NOUNS)
)
SOURCE_INDEX = {word: i for i, word in enumerate(SOURCE_WORDS)}
TARGET_INDEX = {word: i for i, word in enumerate(TARGET_WORDS)}


@dataclass(frozen=True)
class Phrase:
    """An English phrase, its French translation, and which English word each French word translates.

    alignment[i] is the index in `english` of the word that french[i] translates;
    roles[i] is what french[i] is: "article", "size", "noun" or "colour".
    """

    english: tuple[str, ...]
    french: tuple[str, ...]
    alignment: tuple[int, ...]
    roles: tuple[str, ...]

    def crossed(self) -> bool:
        """True when the alignment is not in order (a colour follows the noun)."""
        return list(self.alignment) != sorted(self.alignment)


def make_phrase(
    article: int, noun: int, size: int | None = None, colour: int | None = None
) -> Phrase:
    """The phrase with ARTICLES[article], NOUNS[noun] and an optional size and colour (lesson 02).

    English order: article, size, colour, noun. French order: article, size, noun, colour,
    each article and adjective in the noun's gender.
    """
    english_noun, french_noun, gender = NOUNS[noun]
    form = 1 if gender == "m" else 2
    words = [("article", ARTICLES[article])]
    if size is not None:
        words.append(("size", SIZES[size]))
    if colour is not None:
        words.append(("colour", COLOURS[colour]))
    english = [entry[0] for _, entry in words] + [english_noun]
    french = [(role, entry[form]) for role, entry in words if role != "colour"]
    french.append(("noun", french_noun))
    french += [(role, entry[form]) for role, entry in words if role == "colour"]
    position = {role: i for i, (role, _) in enumerate(words)}
    position["noun"] = len(english) - 1
    return Phrase(
        english=tuple(english),
        french=tuple(word for _, word in french),
        alignment=tuple(position[role] for role, _ in french),
        roles=tuple(role for role, _ in french),
    )


def all_phrases() -> list[Phrase]:
    """Every phrase of the task, 2 x 3 x 6 x 6 = 216 of them, in a fixed order (lesson 02)."""
    return [
        make_phrase(article, noun, size, colour)
        for article, size, colour, noun in itertools.product(
            range(len(ARTICLES)),
            [None, *range(len(SIZES))],
            [None, *range(len(COLOURS))],
            range(len(NOUNS)),
        )
    ]


def split_phrases(seed: int = 0) -> tuple[list[Phrase], list[Phrase]]:
    """(train, held_out): each noun loses one colour to the held-out set (lesson 02).

    The held-out phrases pair a colour and a noun that never appear together in training
    (in any article or size), so translating them right needs the words, not the whole
    phrase, to have been learnt. Each noun is held out with a different colour, except
    that with 6 nouns and 5 colours one colour is held out twice.
    """
    rng = random.Random(seed)
    colours = list(range(len(COLOURS)))
    rng.shuffle(colours)
    held = {
        (NOUNS[n][0], COLOURS[colours[n % len(colours)]][0]) for n in range(len(NOUNS))
    }
    train, held_out = [], []
    for phrase in all_phrases():
        pair = (phrase.english[-1], phrase.english[-2])
        (held_out if pair in held else train).append(phrase)
    return train, held_out


def encode_batch(
    phrases: Sequence[Phrase],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(source (B, S), target_in (B, T), target_out (B, T)), padded at the end (lesson 02).

    The source is padded with PAD; the decoder reads <s> followed by the French words and
    predicts the French words followed by </s>; target_in is padded with PAD and
    target_out with IGNORE, which cross_entropy skips.
    """
    width = max(len(p.english) for p in phrases)
    length = max(len(p.french) for p in phrases) + 1
    source = torch.full((len(phrases), width), PAD, dtype=torch.long)  # (B, S)
    target_in = torch.full((len(phrases), length), PAD, dtype=torch.long)  # (B, T)
    target_out = torch.full((len(phrases), length), IGNORE, dtype=torch.long)  # (B, T)
    for row, phrase in enumerate(phrases):
        ids = [TARGET_INDEX[w] for w in phrase.french]
        source[row, : len(phrase.english)] = torch.tensor(
            [SOURCE_INDEX[w] for w in phrase.english]
        )
        target_in[row, : len(ids) + 1] = torch.tensor([BOS, *ids])
        target_out[row, : len(ids) + 1] = torch.tensor([*ids, EOS])
    return source, target_in, target_out


# score(s (B, n), h (B, S, 2n), W_s, W_h, v, mask (B, S)) -> scores (B, S)
Score = Callable[..., torch.Tensor]


class PhraseTranslator(nn.Module):
    """A bidirectional GRU encoder and a GRU decoder with additive attention (lesson 02).

    The shape of RNNsearch (Bahdanau et al., 2015), at toy size. Before French word i the
    decoder scores each annotation h_j against its previous state s_{i-1} with the score
    function passed to forward, using the model's W_s (hidden, attention),
    W_h (2 hidden, attention) and v (attention,); the weights are the softmax of the
    scores over the English words, and the context is their weighted average of the h_j.
    """

    def __init__(
        self, embed_size: int = 16, hidden_size: int = 32, attention_size: int = 32
    ):
        super().__init__()
        self.hidden_size = hidden_size
        self.source_embed = nn.Embedding(len(SOURCE_WORDS), embed_size, padding_idx=PAD)
        self.target_embed = nn.Embedding(len(TARGET_WORDS), embed_size, padding_idx=PAD)
        self.encoder = nn.GRU(
            embed_size, hidden_size, batch_first=True, bidirectional=True
        )
        self.initial_state = nn.Linear(2 * hidden_size, hidden_size)
        self.decoder = nn.GRUCell(embed_size + 2 * hidden_size, hidden_size)
        self.W_s = nn.Parameter(
            torch.randn(hidden_size, attention_size) / math.sqrt(hidden_size)
        )
        self.W_h = nn.Parameter(
            torch.randn(2 * hidden_size, attention_size) / math.sqrt(2 * hidden_size)
        )
        self.v = nn.Parameter(torch.randn(attention_size) / math.sqrt(attention_size))
        self.output = nn.Linear(3 * hidden_size + embed_size, len(TARGET_WORDS))

    def encode(
        self, source: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(annotations (B, S, 2 hidden), mask (B, S) True at real words, first state (B, hidden))."""
        mask = source != PAD  # (B, S)
        lengths = mask.sum(-1).cpu()  # (B,)
        packed = nn.utils.rnn.pack_padded_sequence(
            self.source_embed(source), lengths, batch_first=True, enforce_sorted=False
        )
        annotations, _ = self.encoder(packed)
        # (B, S, 2 hidden), zeros at padding
        annotations, _ = nn.utils.rnn.pad_packed_sequence(
            annotations, batch_first=True, total_length=source.shape[1]
        )
        # the mean annotation of each phrase: (B, S, 2 hidden) -> (B, 2 hidden)
        mean = (
            annotations.sum(1)
            / lengths.to(annotations.device, annotations.dtype)[:, None]
        )
        return annotations, mask, torch.tanh(self.initial_state(mean))

    def step(
        self,
        previous: torch.Tensor,
        state: torch.Tensor,
        annotations: torch.Tensor,
        mask: torch.Tensor,
        score: Score,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One decoder step: (logits (B, vocab), new state (B, hidden), weights (B, S))."""
        scores = score(state, annotations, self.W_s, self.W_h, self.v, mask)  # (B, S)
        weights = torch.softmax(scores, dim=-1)  # (B, S)
        # (B, 1, S) @ (B, S, 2 hidden) -> (B, 2 hidden)
        context = (weights.unsqueeze(1) @ annotations).squeeze(1)
        word = self.target_embed(previous)  # (B, embed)
        state = self.decoder(torch.cat([word, context], dim=-1), state)  # (B, hidden)
        logits = self.output(torch.cat([state, context, word], dim=-1))  # (B, vocab)
        return logits, state, weights

    def forward(
        self, source: torch.Tensor, target_in: torch.Tensor, score: Score
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher forcing: (logits (B, T, vocab), attention weights (B, T, S))."""
        annotations, mask, state = self.encode(source)
        logits, weights = [], []
        for i in range(target_in.shape[1]):
            step_logits, state, step_weights = self.step(
                target_in[:, i], state, annotations, mask, score
            )
            logits.append(step_logits)
            weights.append(step_weights)
        return torch.stack(logits, dim=1), torch.stack(weights, dim=1)  # (B, T, ...)


def train_phrases(
    model: PhraseTranslator,
    phrases: Sequence[Phrase],
    score: Score,
    steps: int = 400,
    batch_size: int = 32,
    lr: float = 1e-2,
    seed: int = 0,
) -> list[float]:
    """Train with Adam and cross-entropy on random batches; returns every step's loss (lesson 02).

    Runs on one CPU thread: steps this small gain nothing from several, and on a busy
    machine the threads mostly wait for each other.
    """
    rng = random.Random(seed)
    phrases = list(phrases)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    device = next(model.parameters()).device
    model.train()
    losses = []
    with cpu_threads(1):
        for _ in range(steps):
            batch = rng.sample(phrases, min(batch_size, len(phrases)))
            source, target_in, target_out = (t.to(device) for t in encode_batch(batch))
            logits, _ = model(source, target_in, score)  # (B, T, vocab)
            loss = F.cross_entropy(
                logits.flatten(0, 1), target_out.flatten(), ignore_index=IGNORE
            )  # (B*T, vocab) against (B*T,)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
    return losses


@torch.no_grad()
def translate(
    model: PhraseTranslator, phrases: Sequence[Phrase], score: Score, max_words: int = 6
) -> list[str]:
    """Greedy decoding of each phrase's English words into French (lesson 02)."""
    model.eval()
    device = next(model.parameters()).device
    source, _, _ = encode_batch(phrases)
    with cpu_threads(1):
        return _greedy(model, source.to(device), score, max_words)


def _greedy(model, source, score, max_words):
    annotations, mask, state = model.encode(source)
    device = source.device
    previous = torch.full((len(source),), BOS, dtype=torch.long, device=device)  # (B,)
    words: list[list[str]] = [[] for _ in range(len(source))]
    done = [False] * len(source)
    for _ in range(max_words + 1):
        logits, state, _ = model.step(previous, state, annotations, mask, score)
        previous = logits.argmax(-1)  # (B,)
        for row, token in enumerate(previous.tolist()):
            if token == EOS:
                done[row] = True
            elif not done[row]:
                words[row].append(TARGET_WORDS[token])
        if all(done):
            break
    return [" ".join(w) for w in words]


def exact_match(
    model: PhraseTranslator, phrases: Sequence[Phrase], score: Score
) -> float:
    """Fraction of phrases whose greedy translation is exactly right (lesson 02)."""
    outputs = translate(model, phrases, score)
    return sum(
        o == " ".join(p.french) for o, p in zip(outputs, phrases, strict=True)
    ) / len(phrases)


@torch.no_grad()
def attention_maps(
    model: PhraseTranslator, phrases: Sequence[Phrase], score: Score
) -> list[torch.Tensor]:
    """For each phrase, the weights (French words, English words) while reading its translation (lesson 02).

    The decoder reads the correct French words (teacher forcing); row i is the attention
    with which French word i was written. The row of the final </s> is left out.
    """
    model.eval()
    device = next(model.parameters()).device
    source, target_in, _ = encode_batch(phrases)
    with cpu_threads(1):
        # (B, T, S)
        _, weights = model(source.to(device), target_in.to(device), score)
    return [
        weights[row, : len(p.french), : len(p.english)].cpu()
        for row, p in enumerate(phrases)
    ]


def alignment_accuracy(
    maps: Sequence[torch.Tensor], phrases: Sequence[Phrase]
) -> dict[str, float]:
    """Per role, the fraction of French words whose largest weight is on the word they translate (lesson 02).

    Returns {"article": ..., "size": ..., "noun": ..., "colour": ..., "all": ...}.
    """
    hits: dict[str, list[bool]] = {role: [] for role in (*ROLES, "all")}
    for weights, phrase in zip(maps, phrases, strict=True):
        looked_at = weights.argmax(-1).tolist()  # (French words,)
        for role, target, got in zip(
            phrase.roles, phrase.alignment, looked_at, strict=True
        ):
            hits[role].append(got == target)
            hits["all"].append(got == target)
    return {role: sum(h) / len(h) for role, h in hits.items() if h}
