"""Safeguards found by review: leakage, up-front rejection, boxes around separator gaps,
chunk-size invariance for mixed separators, merge and API argument checks, partial exports."""

from __future__ import annotations

import numpy as np
import pytest
from mnist_files import write_idx_pair
from test_export_helpers import folder_hashes, request, small_config

from digitseq_gui import InvalidInputError, LayoutError, export
from digitseq_gui.engine import sequences


def test_a_single_pair_folder_cannot_feed_train_and_test(tmp_path, mnist_test):
    # One IDX pair serves every split of a folder, so a test part would reuse train digits.
    write_idx_pair(tmp_path / "digits", mnist_test.images[:600], mnist_test.labels[:600], prefix="mine")
    config = small_config()
    config.dataset.source = str(tmp_path / "digits")
    with pytest.raises(InvalidInputError, match="reuse the training digits"):
        export.plan_export(
            request(tmp_path / "out", count=100, config=config, splits="train=0.5,val=0.25,test=0.25")
        )
    assert not (tmp_path / "out").exists()
    # Without a test part the rows of train and val are disjoint, so that is allowed.
    export.plan_export(request(tmp_path / "out", count=100, config=config, splits="train=0.8,val=0.2"))


def test_lengths_fixed_spacing_cannot_fill_are_rejected_before_anything_is_written(tmp_path):
    config = small_config()
    config.spacing.type, config.image.width = "fixed", 136
    with pytest.raises(LayoutError, match="no width works for all of them"):
        export.run_export(
            request(tmp_path / "out", count=200, config=config, sequences=sequences.random_lengths(4, 8))
        )
    assert not (tmp_path / "out").exists()


def test_an_over_long_line_deep_in_a_list_is_rejected_up_front(tmp_path):
    texts = ["0123"] * 700 + ["1" * 250]
    config = small_config()
    with pytest.raises(InvalidInputError, match="too small for 250 digits"):
        export.run_export(
            request(tmp_path / "out", count=None, config=config, sequences=sequences.explicit(texts))
        )
    assert not (tmp_path / "out").exists()


def test_ink_stays_in_its_box_when_separator_gaps_cut_between_touching_digits(tmp_path):
    config = small_config()
    config.spacing.min, config.spacing.max, config.image.trim_padding = 0, 0, True
    out = tmp_path / "out"
    export.run_export(
        request(
            out,
            count=128,
            fmt="npz",
            config=config,
            sequences=sequences.pattern("##-##-##/##"),
            separator_width=6,
        )
    )
    data = export.load_export(out)["all"]
    for image, boxes in zip(data["images"], data["box_list"]):
        outside = np.ones(image.shape, dtype=bool)
        for x0, y0, x1, y1 in boxes:
            outside[y0:y1, x0:x1] = False
        assert (image[outside] == 255).all()


def test_mixed_separator_counts_give_the_same_bytes_whatever_the_chunk_size(tmp_path):
    texts = (["123456"] * 64 + ["123-456"] * 64) * 2
    made = []
    for chunk in (64, 256):
        out = tmp_path / f"c{chunk}"
        export.run_export(
            request(out, count=None, fmt="npz", chunk_size=chunk, sequences=sequences.explicit(texts))
        )
        made.append(folder_hashes(out))
    assert made[0] == made[1]


def test_splits_given_as_a_dict_get_the_same_checks_as_text(tmp_path):
    with pytest.raises(InvalidInputError, match="add up to"):
        export.plan_export(request(tmp_path / "o", count=100, splits={"train": 0.5}))
    with pytest.raises(InvalidInputError, match="NAME one of"):
        export.plan_export(request(tmp_path / "o", count=100, splits={"trn": 1.0}))
    as_dict = export.plan_export(request(tmp_path / "o", count=100, splits={"test": 0.2, "train": 0.8}))
    as_text = export.plan_export(request(tmp_path / "o", count=100, splits="train=0.8,test=0.2"))
    assert as_dict.manifest["parts"] == as_text.manifest["parts"]


@pytest.mark.parametrize("shard", [("a", 2), (1, 2, 3), 5, (0, 2), (3, 2)])
def test_bad_shards_are_clear_errors(tmp_path, shard):
    with pytest.raises(InvalidInputError, match="shard"):
        export.plan_export(request(tmp_path / "o", count=100, shard=shard))


def test_explicit_lists_of_ints_are_checked_like_generate():
    with pytest.raises(InvalidInputError, match="23 is not a digit"):
        sequences.explicit([[1, 23]])
    with pytest.raises(TypeError, match="integer"):
        sequences.explicit([[1.9]])
    assert sequences.explicit([[0, 2, 1, 3]]).texts == ("0213",)


def test_merge_refuses_its_own_shard_as_output_and_names_the_odd_shard(tmp_path):
    shards = []
    for i in (1, 2):
        out = tmp_path / f"s{i}"
        export.run_export(request(out, count=128, fmt="npz", shard=(i, 2)))
        shards.append(out)
    with pytest.raises(InvalidInputError, match="lies in, the shard"):
        export.merge_exports(shards, shards[0], overwrite=True)
    odd = tmp_path / "odd"
    export.run_export(request(odd, count=128, fmt="png", shard=(2, 2)))
    with pytest.raises(InvalidInputError, match="odd"):
        export.merge_exports([shards[0], odd], tmp_path / "merged")
    with pytest.raises(TypeError, match="list of shard folders"):
        export.merge_exports(str(shards[0]), tmp_path / "merged")


def test_reading_a_stopped_export_says_it_is_not_complete(tmp_path):
    class StopAfterFirstChunk:
        calls = 0

        def is_set(self):
            self.calls += 1
            return self.calls > 2

    out = tmp_path / "out"
    result = export.run_export(request(out, count=640, fmt="npz"), cancel=StopAfterFirstChunk())
    assert result.status == "cancelled"
    with pytest.raises(InvalidInputError, match="not complete"):
        export.load_export(out)


def _noise_config():
    config = small_config()
    config.image.transform = True
    for augmentation in config.image.augmentations.values():
        augmentation.enabled = False
    config.image.augmentations["noise"].enabled = True
    config.image.augmentations["noise"].strength = 0.12  # the maximum
    return config


def test_noise_covers_the_separator_gaps_too(tmp_path):
    out = tmp_path / "out"
    export.run_export(
        request(
            out,
            count=64,
            fmt="npz",
            config=_noise_config(),
            sequences=sequences.pattern("###-####"),
            separator_width=12,
        )
    )
    images = export.load_export(out)["all"]["images"]

    def has_white_stripe(image, width=12):  # width consecutive columns with no noise at all
        white = (image == 255).all(axis=0).astype(int)
        runs = np.convolve(white, np.ones(width, dtype=int), mode="valid")
        return (runs == width).any()

    # Noisy everywhere: only an image whose drawn noise level is near zero could show the stripe.
    assert np.mean([has_white_stripe(image) for image in images]) < 0.1


def test_noisy_exports_give_the_same_bytes_whatever_the_chunk_size(tmp_path):
    made = []
    for chunk in (64, 192):
        out = tmp_path / f"c{chunk}"
        export.run_export(
            request(
                out,
                count=200,
                fmt="npz",
                chunk_size=chunk,
                config=_noise_config(),
                sequences=sequences.pattern("##-###"),
            )
        )
        made.append(folder_hashes(out))
    assert made[0] == made[1]


def test_separator_gaps_that_fill_the_width_are_refused_before_writing(tmp_path):
    config = small_config()
    config.image.width = 60
    with pytest.raises(InvalidInputError, match="leave nothing"):
        export.run_export(
            request(
                tmp_path / "out",
                count=64,
                config=config,
                sequences=sequences.pattern("#-#-#-#-#-#-#"),
                separator_width=10,
            )
        )
    assert not (tmp_path / "out").exists()
