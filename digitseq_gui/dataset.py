"""DigitSeq images straight into a training loop: a map-style data set, an endless stream, a collate.

    >>> from digitseq_gui import SequenceDataset, collate_ctc
    >>> train = SequenceDataset(100_000, lengths=(4, 8), seed=7, split="train")
    >>> item = train[0]  # {"image": (28, 200) uint8, "label": "0413", "targets": [1, 5, 2, 4], ...}
    >>> loader = torch.utils.data.DataLoader(train, batch_size=64, num_workers=2, collate_fn=collate_ctc)

``SequenceDataset`` item i is image i of ``digitseq export`` with the same settings and seed (the
same count, sequences, config, splits, separator width, unique): the same texts, the same digit
rows, the same block seeds, the same bytes, whatever the process, the order of access, the number
of DataLoader workers or the epoch. Images are made a block of BLOCK_SIZE (64) at a time, as the
export makes them (a block's randomness is drawn together), and the last block is kept, so
reading in order costs one render per 64 items. With workers, use a batch size that is a
multiple of 64 so that each worker renders only its own blocks. Read shuffled (a DataLoader's
``__getitems__`` batch of random indices, DistributedSampler), only the items asked for are
rendered (engine/picked.py), byte for byte as their blocks give them (docs/pytorch.md); with
finishing settings (ink, paper, colour, capture) whole blocks, as ``engine.picked.serves`` decides.

``SequenceStream`` (``SequenceDataset(...).stream()``) is endless and fresh every epoch: block b of
epoch e draws its texts and its images from a seed derived from (seed, e, b) alone, and DataLoader
worker w of W takes blocks w, w + W, ..., so workers never repeat each other, and the same seed,
epoch and worker count give the same samples. Under torch.distributed (or with ``rank`` and
``world_size``) the blocks are split over ranks x workers, and ``state_dict()`` /
``load_state_dict()`` let torchdata's StatefulDataLoader resume mid-epoch without rendering the
consumed blocks again (docs/training.md). Call ``set_epoch(e)`` before each epoch's
``iter(loader)`` (a DataLoader copies the stream into its workers when the iterator starts, so
with ``persistent_workers=True`` the copies never see the new epoch).

Items: ``image`` (uint8, 255 = white; or float32 in [0, 1], 1.0 = white, exactly the engine's
float images; (H, W) grey, or (H, W, 3) channels-last with ``image.color`` "rgb": make it
(3, H, W) for torch in ``transform``, docs/paper.md; or whatever ``transform`` makes of it: a
transform of two arguments, or a torchvision transforms.v2 one, gets the image with its boxes and
returns both), ``label`` (the digits, leading zeros kept; with drawn separators the symbols too),
``text`` (with separators), ``targets`` (int64, class k + 1 for character ``alphabet[k]``, so
digit d is d + 1: class 0 is the CTC blank, as torch.nn.CTCLoss expects by default; the data
set's ``alphabet`` and ``num_classes`` say how many classes a model needs; engine/alphabet.py),
``boxes`` ((n, 4) int32 x0, y0, x1, y1, max exclusive), ``index``, ``writer`` (the sequence's one
writer with ``sampling.writer = same``, else -1) and ``writers`` ((n,) int32, each character's
writer; -1 where the data set does not say, and for drawn symbols). torch is never needed, and
imported only where it is installed and used.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import alphabet as alphabet_module
from .engine import render, seeding
from .engine import sequences as sources
from .engine.config import WRITER_MODES, Config
from .engine.errors import InputTypeError, InvalidInputError
from .engine.generator import BLOCK_SIZE, check_seed
from .engine.picked import serves as picked_serves
from .engine.symbols import label_and_gaps

CTC_BLANK = alphabet_module.BLANK  # targets are class k + 1 for alphabet[k]: class 0 is the blank
NUM_CLASSES = alphabet_module.num_classes(alphabet_module.DIGITS)  # blank + ten digits (gap separators)
DEFAULT_SPLITS = "train=0.8,val=0.1,test=0.1"
DTYPES = ("uint8", "float32")


# -- the images, as the export makes them ----------------------------------------------------------
# Everything this module needs from export/ is its public part specification (export.ImagesSpec,
# plan_parts, stream_part, render_texts): the same parts, texts and rendering plan_export builds
# on. The byte-identity tests in tests/dataset/ compare against a real run_export and guard them.


@dataclass(frozen=True)
class _Part:
    """What rendering needs about one part (split), all picklable."""

    name: str
    render: Any  # export.RenderSpec: config, digit rows, part seed, separator width
    count: int = 0  # the part's images (the map-style data set only)
    parts: Any = None  # export.Parts and its Part: texts are computed by range from them,
    part: Any = None  # so memory does not grow with the count


def _plan_part(spec, split: str) -> _Part:
    """Part ``split`` ('' without splits) of the data set ``spec`` (an export.ImagesSpec)."""
    from .export import plan_parts

    parts = plan_parts(spec)
    part = parts.part_named(split)
    if part is None:
        raise InvalidInputError(
            f"split {split} is not one of the parts of splits {spec.splits!r}; "
            f"use one of {', '.join(p.name for p in parts.parts)} or add {split}",
            field="split",
        )
    return _Part(split, part.render, part.count, parts, part)


def _texts(part: _Part, start: int, stop: int) -> list[str]:
    return list(part.parts.texts(part.part, start, stop))


def _stream_part(config: Config, split: str, shapes: set[tuple[int, int]], separator_width: int) -> _Part:
    from .export import stream_part

    return _Part(split, stream_part(config, split, shapes, separator_width))


def _render(
    part: _Part, start: int, texts: list[str], seed: int | None = None, uniform_separators: bool | None = None
):
    """Images ``start``..``start + len(texts)`` of a part (start a multiple of BLOCK_SIZE), as the
    export renders them: (uint8 images, labels, boxes, writer per image, writers per digit).
    ``seed`` and ``uniform_separators`` replace the part's (the stream renders each block from
    its own seed)."""
    from .export import render_texts

    result = render_texts(part.render, start, texts, seed, uniform_separators)
    return result.images, result.labels, result.boxes, result.writer, result.writers


def _render_picked(part: _Part, blocks: list[tuple[int, list[str], list[int]]]):
    """Of each (block, its texts, positions kept), the kept images as the export renders them
    (export.render_picked: an engine.compose.Composed of just those, block after block)."""
    from .export import render_picked

    return render_picked(part.render, blocks)


# -- items --------------------------------------------------------------------------------------


def targets_of(label: str, alphabet: str = alphabet_module.FULL) -> np.ndarray:
    """CTC targets of a label (int64): class k + 1 for ``alphabet[k]``, so digit d is d + 1 and
    class 0 the blank (engine/alphabet.py: the one convention of npz exports and this module)."""
    return alphabet_module.targets_of(label, alphabet)


def label_of_targets(targets, alphabet: str = alphabet_module.FULL) -> str:
    """The label back from targets (or from a CTC decoding without blanks and repeats)."""
    return alphabet_module.label_of_targets(targets, alphabet)


def _transform_kind(transform: Callable | None) -> str:
    """How ``transform`` is called: "v2" (a torchvision transforms.v2 Transform: the image as a
    tv_tensors.Image with its tv_tensors.BoundingBoxes), "pair" (a callable of two positional
    arguments: ``(image, boxes) -> (image, boxes)``, numpy in and out) or "image" (one argument:
    the image alone; the boxes are left as they are, so use it only for changes that move no
    pixel, such as a conversion to a tensor)."""
    if transform is None:
        return "image"
    v2 = sys.modules.get("torchvision.transforms.v2")
    if v2 is not None and isinstance(transform, v2.Transform):
        return "v2"
    try:
        parameters = list(inspect.signature(transform).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: one argument
        return "image"
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in parameters) or len(positional) >= 2:
        return "pair"
    return "image"


def _apply_v2(transform, image: np.ndarray, boxes: np.ndarray):
    import torch
    from torchvision import tv_tensors

    height, width = image.shape[:2]
    pixels = torch.from_numpy(np.ascontiguousarray(image))
    if image.ndim == 3:  # RGB (image.color "rgb"): channels-last here, channels-first for torch
        pixels = pixels.permute(2, 0, 1)
    tensor = tv_tensors.Image(pixels)  # (H, W) -> (1, H, W)
    box_tensor = tv_tensors.BoundingBoxes(
        torch.from_numpy(boxes.astype(np.float32)), format="XYXY", canvas_size=(height, width)
    )
    return transform(tensor, box_tensor)


class _Items:
    """Turns a rendered uint8 image into an item; shared by the data set and the stream."""

    def __init__(self, dtype: str, transform: Callable | None, target_transform: Callable | None = None):
        if dtype not in DTYPES:
            raise InvalidInputError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}", field="dtype")
        for name, value in (("transform", transform), ("target_transform", target_transform)):
            if value is not None and not callable(value):
                raise InputTypeError(
                    f"{name} must be a function (of the image and boxes, or of the label), "
                    f"got {type(value).__name__}",
                    field=name,
                )
        self.dtype, self.transform, self.target_transform = dtype, transform, target_transform
        self.kind = _transform_kind(transform)

    def item(
        self,
        index: int,
        image: np.ndarray,
        label: str,
        text: str,
        boxes: np.ndarray,
        writer: int = -1,
        writers: np.ndarray | None = None,
    ) -> dict:
        if self.dtype == "float32":  # the engine's own conversion, so these equal its float images
            image = render.ink_to_float(255 - image)
        else:
            image = image.copy()  # never hand out the cached block itself
        boxes = boxes.copy()
        if self.kind == "v2":
            image, boxes = _apply_v2(self.transform, image, boxes)
        elif self.kind == "pair":
            image, boxes = self.transform(image, boxes)  # type: ignore[misc]
        elif self.transform is not None:
            image = self.transform(image)
        item = {
            "image": image,
            "label": label,
            "text": text,
            "targets": targets_of(label),
            "boxes": boxes,
            "index": index,
            "writer": int(writer),  # the sequence's one writer (sampling.writer = same), else -1
            "writers": np.full(len(label), -1, dtype=np.int32) if writers is None else writers.copy(),
        }
        if self.target_transform is not None:
            item["target"] = self.target_transform(label)
        return item


def _source_of(lengths, pattern, sequences) -> sources.SequenceSource:
    given = [
        name
        for name, value in (("lengths", lengths), ("pattern", pattern), ("sequences", sequences))
        if value is not None
    ]
    if len(given) != 1:
        raise InvalidInputError(
            "give exactly one of lengths=(MIN, MAX), pattern='0##-####' or sequences=[...]"
            + (f"; got {' and '.join(given)}" if given else ""),
            field="digits",
        )
    if lengths is not None:
        if isinstance(lengths, (tuple, list)) and len(lengths) == 2:
            return sources.random_lengths(*lengths)
        if isinstance(lengths, (tuple, list)):
            raise InvalidInputError(f"lengths must be N or (MIN, MAX), got {lengths!r}", field="length")
        return sources.random_lengths(lengths)
    if pattern is not None:
        return sources.pattern(pattern)
    if isinstance(sequences, sources.SequenceSource):
        return sequences
    return sources.explicit(sequences)


def _check_split(split) -> str:
    from .export import SPLIT_NAMES

    if split is None:
        return ""
    if split not in SPLIT_NAMES:
        raise InvalidInputError(
            f"split must be one of {', '.join(SPLIT_NAMES)} or None, got {split!r}", field="split"
        )
    return split


def _check_config(config, writer: str | None = None) -> Config:
    """The validated config; ``writer`` ("any" or "same"), when given, is its sampling.writer."""
    if config is None:
        config = Config()
    if not isinstance(config, Config):
        raise InputTypeError(f"config must be a Config or None, got {type(config).__name__}", field="config")
    config = config.validated()
    if writer is not None:
        if writer not in WRITER_MODES:
            raise InvalidInputError(
                f"writer must be one of {', '.join(WRITER_MODES)}, got {writer!r}", field="writer"
            )
        config.sampling.writer = writer
    return config


# -- the map-style data set -----------------------------------------------------------------------


class SequenceDataset:
    """Item i is image i of the export (part ``split``) with the same settings and seed.

    ``count`` is the export's count over all its splits (None: one per sequence of a list); the
    data set holds the images of part ``split`` ("train", "val", "test", from the fractions
    ``splits``, by default 0.8/0.1/0.1), or all of them when ``split`` is None. One of
    ``lengths`` (N or (MIN, MAX)), ``pattern`` ('0[789]0-####-####') or ``sequences`` (a list of
    strings, or a source from engine.sequences) says what to draw. ``writer`` ("any" or "same")
    sets the config's sampling.writer: with "same" all digits of an item are by one writer.
    """

    def __init__(
        self,
        count: int | None = None,
        *,
        lengths=None,
        pattern: str | None = None,
        sequences=None,
        config: Config | None = None,
        seed: int = 0,
        split: str | None = None,
        splits=None,
        unique: bool = False,
        separator_width: int = 10,
        writer: str | None = None,
        dtype: str = "uint8",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ):
        self.source = _source_of(lengths, pattern, sequences)
        self.config = _check_config(config, writer)
        # The characters labels can hold and the classes a CTC model needs (engine/alphabet.py).
        self.alphabet = alphabet_module.alphabet_for(self.config.separators.style)
        self.num_classes = alphabet_module.num_classes(self.alphabet)
        self.seed = check_seed(seed)
        self.split = _check_split(split)
        if splits and not self.split:
            raise InvalidInputError(
                "splits given without split: say which part this data set holds, e.g. split='train'",
                field="split",
            )
        self.splits = (splits or DEFAULT_SPLITS) if self.split else None
        self.separator_width = separator_width
        self._items = _Items(dtype, transform, target_transform)
        from .export import ImagesSpec

        spec = ImagesSpec(self.source, count, self.config, self.seed, self.splits, unique, separator_width)
        self._part = _plan_part(spec, self.split)
        self._block: tuple[int, Any] | None = None
        self._previous_block: int | None = None  # the block of the last call, if of one item
        # Whether items can be rendered without the rest of their block (engine.picked.serves:
        # not with finishing settings); else every read renders whole blocks (docs/pytorch.md).
        self._picks_exactly = picked_serves(self.config)

    def __len__(self) -> int:
        return self._part.count

    @property
    def texts(self) -> tuple[str, ...]:
        """Every item's sequence text, in order (computed on each call, without rendering)."""
        return tuple(_texts(self._part, 0, self._part.count))

    def __getitem__(self, index: int) -> dict:
        return self.__getitems__([index])[0]

    def __getitems__(self, indices) -> list[dict]:
        """Items ``indices`` (what a DataLoader asks for one batch), in that order.

        Rendering: a block this call wants at least half of, or one item of which the previous
        call (of one item too) wanted (reading in order, item by item), is rendered whole and
        kept; of any other block only the items wanted are rendered (engine.picked: byte for
        byte as the whole block makes them), so a shuffled read costs about an image per item,
        not a block."""
        wanted = [self._check_index(i) for i in indices]
        by_block: dict[int, list[int]] = {}
        for index in wanted:
            by_block.setdefault(index // BLOCK_SIZE, []).append(index % BLOCK_SIZE)
        found: dict[int, tuple] = {}  # index -> (image, label, text, boxes, writer, writers)
        picks = []
        cached, previous = self._block, self._previous_block
        for number, places in by_block.items():
            if cached is not None and cached[0] == number:
                block = cached
            elif (
                not self._picks_exactly
                or 2 * len(set(places)) >= BLOCK_SIZE
                or (len(wanted) == 1 and number == previous)
            ):
                block = cached = self._cached_block(number)
            else:
                picks.append((number, sorted(set(places))))
                continue
            _, (images, labels, boxes, writer, writers), texts = block
            for j in places:
                found[number * BLOCK_SIZE + j] = (
                    images[j],
                    labels[j],
                    texts[j],
                    boxes[j],
                    writer[j],
                    writers[j],
                )
        if picks:
            blocks = [(number, self._block_texts(number), places) for number, places in picks]
            composed = _render_picked(self._part, blocks)
            row = 0
            for number, _, places in blocks:
                for j in places:
                    found[number * BLOCK_SIZE + j] = (
                        composed.images[row],
                        composed.labels[row],
                        composed.texts[row],
                        composed.boxes[row],
                        composed.writer[row],
                        composed.writers[row],
                    )
                    row += 1
        self._previous_block = wanted[0] // BLOCK_SIZE if len(wanted) == 1 else None
        return [self._items.item(index, *found[index]) for index in wanted]

    def _check_index(self, index) -> int:
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise InputTypeError(f"index must be a whole number, got {type(index).__name__}", field="index")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for {n} items")
        return int(index) % n

    def _block_texts(self, number: int) -> list[str]:
        start = number * BLOCK_SIZE
        return _texts(self._part, start, min(start + BLOCK_SIZE, self._part.count))

    def block(self, number: int):
        """Block ``number``'s (uint8 images, labels, boxes), rendered once and kept until the next."""
        return self._cached_block(number)[1][:3]

    def _cached_block(self, number: int):
        # Read once into a local: threads sharing the data set may replace the cached block
        # between a check and a read of the attribute (the cache is one tuple, swapped whole).
        cached = self._block
        if cached is None or cached[0] != number:
            texts = self._block_texts(number)
            cached = self._block = (number, _render(self._part, number * BLOCK_SIZE, texts), texts)
        return cached

    def __getstate__(self):  # a worker gets the settings, not the parent's rendered block
        return dict(self.__dict__, _block=None, _previous_block=None)

    def stream(self, epoch: int = 0) -> SequenceStream:
        """An endless stream of fresh images with this data set's settings (see SequenceStream)."""
        return SequenceStream(
            sequences=self.source,
            config=self.config,
            seed=self.seed,
            split=self.split or None,
            separator_width=self.separator_width,
            dtype=self._items.dtype,
            transform=self._items.transform,
            target_transform=self._items.target_transform,
            epoch=epoch,
        )

    def __repr__(self) -> str:
        return (
            f"SequenceDataset({len(self)} items, {self.source.describe()}, seed={self.seed}, "
            f"split={self.split or None!r}, splits={self.splits!r})"
        )


# -- the endless stream ---------------------------------------------------------------------------


def _torch_data():
    """torch.utils.data if torch is installed (imported now, not when this module is), else None."""
    if "torch" not in sys.modules and importlib.util.find_spec("torch") is None:
        return None
    import torch.utils.data

    return torch.utils.data


class SequenceStream:
    """Endless fresh images: block b of epoch e is drawn from (seed, e, b) only.

    Who takes which block: the stream is read by ``world_size`` ranks (processes of a distributed
    run) times W DataLoader workers each. Reader c = rank * W + worker of the C = world_size * W
    readers takes blocks c, c + C, c + 2C, ... in that order, so no block is read twice and the
    union of all readers is every block. Rank and world size are the arguments ``rank`` and
    ``world_size`` when given, else torch.distributed's when it is initialised, else 0 and 1;
    the worker is torch.utils.data.get_worker_info()'s. ``samples(worker, workers)`` does the same
    split without torch (a multiprocessing Pool).

    Resume: ``state_dict()`` / ``load_state_dict()`` are what torchdata's StatefulDataLoader calls
    in each worker (or in the loading process with no workers): the epoch, how many of this
    reader's blocks are done and how many items of the current one were handed out. A stream
    loaded with a state goes on from there, rendering only the block it stopped in.

    ``split`` picks the digit images as the export does (train: the training file's writers
    not held out, val: the held-out writers, test: the test file; export/splits.py); None uses
    the config's data file. ``writer`` ("any" or "same") sets the config's sampling.writer.
    """

    def __init__(
        self,
        *,
        lengths=None,
        pattern: str | None = None,
        sequences=None,
        config: Config | None = None,
        seed: int = 0,
        split: str | None = None,
        separator_width: int = 10,
        writer: str | None = None,
        dtype: str = "uint8",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        epoch: int = 0,
        rank: int | None = None,
        world_size: int | None = None,
    ):
        self.source = _source_of(lengths, pattern, sequences)
        self.config = _check_config(config, writer)
        # The characters labels can hold and the classes a CTC model needs (engine/alphabet.py).
        self.alphabet = alphabet_module.alphabet_for(self.config.separators.style)
        self.num_classes = alphabet_module.num_classes(self.alphabet)
        self.seed = check_seed(seed)
        self._items = _Items(dtype, transform, target_transform)
        if isinstance(separator_width, bool) or not isinstance(separator_width, int) or separator_width < 0:
            raise InvalidInputError(
                f"separator width must be 0 or more pixels, got {separator_width!r}", field="separator_width"
            )
        if (rank is None) != (world_size is None):
            raise InvalidInputError("give both rank and world_size, or neither", field="rank")
        if world_size is not None:
            _check_share(rank, world_size, "rank", "world_size")
        self.rank, self.world_size = rank, world_size
        self._part = _stream_part(
            self.config,
            _check_split(split),
            self.source.shapes(self.config.separators.style),
            separator_width,
        )
        self.set_epoch(epoch)
        self._position = (0, 0)  # (this reader's blocks done, items of the next handed out)
        self._resume: tuple[int, int] | None = None
        self.renders = 0  # blocks this object rendered (each worker has its own copy)
        data = _torch_data()
        if data is not None and not isinstance(self, data.IterableDataset):
            # DataLoader tells an iterable data set by isinstance; IterableDataset is an ABC.
            data.IterableDataset.register(SequenceStream)

    def set_epoch(self, epoch: int) -> None:
        """Fresh samples for epoch ``epoch`` (before the epoch's ``iter(loader)``)."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise InvalidInputError(f"epoch must be a whole number 0 or more, got {epoch!r}", field="epoch")
        self.epoch = int(epoch)

    def block_seeds(self, block: int) -> tuple[int, int]:
        """(text seed, image seed) of block ``block`` in the current epoch."""
        state = seeding.training_stream_seeds(self.seed, self.epoch, block)
        return int(state[0]) >> 1, int(state[1]) >> 1

    def block_texts(self, block: int) -> list[str]:
        text_seed, _ = self.block_seeds(block)
        return self.source.fresh_texts(text_seed, BLOCK_SIZE)

    def block(self, block: int) -> list[dict]:
        """The BLOCK_SIZE items of block ``block`` of the current epoch (index = b * 64 + j)."""
        texts = self.block_texts(block)
        _, image_seed = self.block_seeds(block)
        counts = {len(label_and_gaps(t, self.config.separators.style)[1]) for t in texts}
        images, labels, boxes, writer, writers = _render(self._part, 0, texts, image_seed, len(counts) <= 1)
        self.renders += 1
        first = block * BLOCK_SIZE
        return [
            self._items.item(first + j, images[j], labels[j], texts[j], boxes[j], writer[j], writers[j])
            for j in range(len(texts))
        ]

    def shares(self) -> tuple[int, int, int, int]:
        """(rank, world size, worker, workers) of the process reading this stream now."""
        rank, world = self.rank, self.world_size
        if world is None:
            distributed = sys.modules.get("torch.distributed")
            if distributed is not None and distributed.is_available() and distributed.is_initialized():
                rank, world = distributed.get_rank(), distributed.get_world_size()
            else:
                rank, world = 0, 1
        data = sys.modules.get("torch.utils.data")
        info = data.get_worker_info() if data is not None else None
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        return int(rank), int(world), worker, workers  # type: ignore[arg-type]

    def reader_blocks(self, reader: int, readers: int, done: int = 0) -> Iterator[int]:
        """The block numbers reader ``reader`` of ``readers`` takes, from its ``done``-th on."""
        block = reader + done * readers
        while True:
            yield block
            block += readers

    def samples(self, worker: int = 0, workers: int = 1) -> Iterator[dict]:
        """Endless items of blocks worker, worker + workers, ... of rank 0 of 1 (no torch
        needed); with ``rank`` and ``world_size`` given, this rank's share of them."""
        _check_share(worker, workers, "worker", "workers")
        rank, world = (self.rank, self.world_size) if self.world_size is not None else (0, 1)
        return self._read(rank * workers + worker, world * workers)  # type: ignore[operator]

    def _read(self, reader: int, readers: int) -> Iterator[dict]:
        done, skip = self._resume or (0, 0)
        self._resume = None
        if skip >= BLOCK_SIZE:
            done, skip = done + 1, 0
        for block in self.reader_blocks(reader, readers, done):
            items = self.block(block)
            for j in range(skip, len(items)):
                self._position = (done, j + 1)  # before the yield: the item counts as handed out
                yield items[j]
            done, skip = done + 1, 0

    def __iter__(self) -> Iterator[dict]:
        rank, world, worker, workers = self.shares()
        return self._read(rank * workers + worker, world * workers)

    def state_dict(self) -> dict:
        """Where this reader is: JSON-able, for StatefulDataLoader (and any checkpoint)."""
        done, items = self._position if self._resume is None else self._resume
        return {"epoch": self.epoch, "blocks_done": done, "items_done": items}

    def load_state_dict(self, state: dict) -> None:
        """The next iteration starts where ``state`` (a ``state_dict()``) stopped."""
        try:
            epoch, done, items = int(state["epoch"]), int(state["blocks_done"]), int(state["items_done"])
        except (TypeError, KeyError, ValueError):
            raise InvalidInputError(
                f"not a SequenceStream state (epoch, blocks_done, items_done): {state!r}", field="state"
            ) from None
        if done < 0 or not 0 <= items <= BLOCK_SIZE:
            raise InvalidInputError(f"not a SequenceStream state: {state!r}", field="state")
        self.set_epoch(epoch)
        self._resume = self._position = (done, items)

    def __repr__(self) -> str:
        return f"SequenceStream({self.source.describe()}, seed={self.seed}, epoch={self.epoch}, split={self._part.name or None!r})"


def _check_share(number, count, name: str, count_name: str) -> None:
    if not (
        isinstance(count, int)
        and isinstance(number, int)
        and not isinstance(count, bool)
        and 0 <= number < count
    ):
        raise InvalidInputError(
            f"{name} must be 0 to {count_name} - 1, got {name}={number!r}, {count_name}={count!r}", field=name
        )


# -- batching -----------------------------------------------------------------------------------------


def collate_ctc(items: list[dict], tensors: bool = True) -> dict:
    """A batch for a CTC loss: ``images`` stacked, ``targets`` (N, S) int64 padded with the blank,
    ``target_lengths`` (N,) int64 (as torch.nn.CTCLoss takes them), ``labels``, ``texts``,
    ``boxes`` (a list), ``indices`` and ``writer``. torch tensors, or numpy arrays with ``tensors=False``."""
    if not items:
        raise InvalidInputError("collate_ctc needs at least one item", field="items")
    lengths = np.array([len(item["targets"]) for item in items], dtype=np.int64)
    targets = np.full((len(items), int(lengths.max())), CTC_BLANK, dtype=np.int64)
    for row, item in enumerate(items):
        targets[row, : lengths[row]] = item["targets"]
    images = [item["image"] for item in items]
    batch = {
        "labels": [item["label"] for item in items],
        "texts": [item["text"] for item in items],
        "boxes": [item["boxes"] for item in items],
        "indices": np.array([item["index"] for item in items]),
        "writer": np.array([item.get("writer", -1) for item in items], dtype=np.int64),
    }
    if "target" in items[0]:  # what target_transform made of each label
        batch["target"] = [item["target"] for item in items]
    if not tensors:
        return dict(batch, images=np.stack(images), targets=targets, target_lengths=lengths)
    try:
        import torch
    except ImportError:
        raise ImportError(
            "collate_ctc makes torch tensors; install torch (pip install 'digitseq[torch]') "
            "or pass tensors=False for numpy arrays"
        ) from None
    stacked = (
        torch.stack(images) if isinstance(images[0], torch.Tensor) else torch.from_numpy(np.stack(images))
    )
    return dict(
        batch,
        images=stacked,
        targets=torch.from_numpy(targets),
        target_lengths=torch.from_numpy(lengths),
        indices=torch.from_numpy(batch["indices"]),
        writer=torch.from_numpy(batch["writer"]),
    )


__all__ = [
    "SequenceDataset",
    "SequenceStream",
    "collate_ctc",
    "targets_of",
    "label_of_targets",
    "CTC_BLANK",
    "NUM_CLASSES",
    "DEFAULT_SPLITS",
]
