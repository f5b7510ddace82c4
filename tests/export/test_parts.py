"""The shared part specification: plan_export and SequenceDataset both build on export.plan_parts."""

from __future__ import annotations

import pytest

from digitseq_gui import Config, SequenceDataset, export
from digitseq_gui.engine import sequences
from digitseq_gui.engine.errors import InvalidInputError


def spec(**changes):
    config = Config()
    config.dataset.split = "test"
    values = dict(
        sequences=sequences.pattern("0#-##"), count=300, config=config, seed=11, splits="train=0.7,test=0.3"
    )
    values.update(changes)
    return export.ImagesSpec(**values)


def test_the_export_plan_is_made_of_the_specs_parts(tmp_path):
    images = spec()
    parts = export.plan_parts(images)
    plan = export.plan_export(
        export.ExportRequest(
            tmp_path / "out", format="npz", **{f: getattr(images, f) for f in images.__dataclass_fields__}
        )
    )
    assert [(p.name, p.offset, p.count, p.seed, p.render) for p in parts.parts] == [
        (p.name, p.offset, p.count, p.seed, p.spec) for p in plan.parts
    ]
    assert [p.digits for p in parts.parts] == [p.describe["digits"] for p in plan.parts]
    train = parts.part_named("train")
    assert parts.texts(train, 5, 9) == export.part_texts(plan, "train", 5, 9)
    assert not (tmp_path / "out").exists()  # planning writes nothing


def test_the_data_set_reads_the_same_part_without_a_folder_or_a_format():
    images = spec()
    parts = export.plan_parts(images)
    data = SequenceDataset(
        300, pattern="0#-##", config=images.config, seed=11, split="test", splits=images.splits
    )
    test = parts.part_named("test")
    assert len(data) == test.count and list(data.texts) == parts.texts(test, 0, test.count)
    rendered = export.render_texts(test.render, 0, parts.texts(test, 0, 64))
    assert (data[3]["image"] == rendered.images[3]).all()


def test_the_spec_is_checked_where_it_is_planned():
    with pytest.raises(InvalidInputError, match="separator width must be between 0 and 10000"):
        export.plan_parts(spec(separator_width=10_001))
    with pytest.raises(InvalidInputError, match="say how many images"):
        export.plan_parts(spec(count=None))
