"""How an export's images are cut into chunks, and which chunks a shard owns: one value, built
from a plan (``ChunkLayout.from_plan``) or from a manifest (``ChunkLayout.from_manifest``), so
that export, resume, verify and merge count chunks the same way.

The parts' images are cut into chunks of ``chunk_size`` (the last of a part may hold fewer);
the chunks of all parts, in part order, are numbered 0..C-1; shard I of N owns the contiguous
range [C*(I-1)//N, C*I//N), the whole range without shards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a plan is only read here; plan.py builds the layout
    from .plan import ExportPlan


@dataclass(frozen=True)
class Chunk:
    number: int  # among all the export's chunks
    part: int  # the part's position in the export (0 without splits)
    index: int  # the chunk's number within its part
    start: int  # its first image, within the part
    count: int  # its images


@dataclass(frozen=True)
class ChunkLayout:
    part_sizes: tuple[int, ...]  # images per part, in the export's order
    chunk_size: int
    shard: tuple[int, int] | None = None  # (I, N): shard I of N, numbered from 1

    @classmethod
    def from_plan(cls, plan: ExportPlan) -> ChunkLayout:
        return cls(tuple(part.count for part in plan.parts), plan.chunk_size, plan.shard)

    @classmethod
    def from_manifest(cls, manifest: dict) -> ChunkLayout:
        shard = manifest.get("shard")
        return cls(
            tuple(int(part["count"]) for part in manifest["parts"]),
            int(manifest["chunk_size"]),
            None if shard is None else (int(shard["index"]), int(shard["count"])),
        )

    def chunks_in(self, part: int) -> int:
        """How many chunks part ``part`` is cut into."""
        return -(-self.part_sizes[part] // self.chunk_size)

    @property
    def chunk_count(self) -> int:
        return sum(self.chunks_in(p) for p in range(len(self.part_sizes)))

    def first_chunk_of(self, part: int) -> int:
        """The number (among all chunks) of part ``part``'s first chunk."""
        return sum(self.chunks_in(p) for p in range(part))

    def chunk(self, number: int) -> Chunk:
        """Chunk ``number`` (among all the export's chunks)."""
        rest = number
        for part, size in enumerate(self.part_sizes):
            chunks = self.chunks_in(part)
            if 0 <= rest < chunks:
                start = rest * self.chunk_size
                return Chunk(number, part, rest, start, min(self.chunk_size, size - start))
            rest -= chunks
        raise IndexError(number)

    def chunks(self, numbers: range | None = None) -> Iterator[Chunk]:
        """The chunks ``numbers`` (all of them by default), in order."""
        for number in range(self.chunk_count) if numbers is None else numbers:
            yield self.chunk(number)

    @property
    def owned(self) -> range:
        """The chunks this export (or shard) makes."""
        if self.shard is None:
            return range(self.chunk_count)
        index, count = self.shard
        return range(self.chunk_count * (index - 1) // count, self.chunk_count * index // count)

    def owned_in_part(self, part: int) -> range:
        """The owned chunks of part ``part``, as numbers within the part."""
        first = self.first_chunk_of(part)
        stop = first + self.chunks_in(part)
        start, end = max(first, self.owned.start), min(stop, self.owned.stop)
        return range(start - first, max(start, end) - first)

    def images_before(self, number: int) -> int:
        """Images in chunks [0, number)."""
        done, rest = 0, number
        for part, size in enumerate(self.part_sizes):
            chunks = self.chunks_in(part)
            if rest < chunks:
                return done + min(size, rest * self.chunk_size)
            done, rest = done + size, rest - chunks
        return done

    @property
    def owned_images(self) -> int:
        return self.images_before(self.owned.stop) - self.images_before(self.owned.start)

    def images_committed(self, committed: int) -> int:
        """Images in the first ``committed`` owned chunks."""
        return self.images_before(self.owned.start + committed) - self.images_before(self.owned.start)

    def committed_ranges(self, committed: int) -> dict[int, tuple[range, range]]:
        """Per part (by position): (images, chunks within the part) of the first ``committed``
        owned chunks; parts without a committed chunk are left out."""
        out: dict[int, tuple[range, range]] = {}
        for chunk in self.chunks(range(self.owned.start, self.owned.start + committed)):
            images, chunks = out.get(
                chunk.part, (range(chunk.start, chunk.start), range(chunk.index, chunk.index))
            )
            out[chunk.part] = (
                range(images.start, chunk.start + chunk.count),
                range(chunks.start, chunk.index + 1),
            )
        return out
