"""Train a small CRNN with CTC loss on DigitSeq images, then read sequences of MNIST *test* digits.

    pip install -e ".[torch]"
    python examples/train_crnn.py --smoke                  # a few steps on the CPU, in seconds
    python examples/train_crnn.py                          # 600 steps: a few minutes on 2 CPU cores
    python examples/train_crnn.py --preset date           # dates with their drawn / and - (19 classes)
    python examples/train_crnn.py --writer same            # train on numbers each by one writer
    python examples/train_crnn.py --help                   # every option with its default

The trained weights go to --save (crnn.npz): a plain .npz of the state_dict's arrays, read back
by ``load_model`` (no pickle, unlike torch.save). --device is cuda when torch sees a GPU, else cpu.
Ctrl+C stops training early: the model as it is then is evaluated and saved all the same.

Training reads SequenceDataset's train split (MNIST training digits minus the validation hold-out);
--writer same makes every training number the work of one writer (sampling.writer). Evaluation
builds its sequences from the MNIST test file, whose digit images and writers training never saw,
twice over with the same texts: digits by any writers (mixed, as before), and each number by one
test writer (MDW's construction: numbers written by one unseen hand). Each prints the sequence
accuracy (every character right, none missing or extra) and the digit error rate (edit distance
over characters: the character error rate).
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from digitseq_gui import Config, SequenceDataset, collate_ctc
from digitseq_gui.dataset import CTC_BLANK, NUM_CLASSES, label_of_targets
from digitseq_gui.engine.presets import preset_config, preset_source


class CRNN(nn.Module):
    """Three conv blocks shrink (1, 28, W) to (64, 3, W/4); each column is one time step of a
    bidirectional GRU; a linear layer gives blank + ten digits (or the data set's ``num_classes``:
    digits and drawn symbols) per step. Small, for 2 CPU cores."""

    def __init__(self, hidden: int = 64, num_classes: int = NUM_CLASSES, channels: int = 1):
        super().__init__()

        def block(inputs, outputs, pool):
            return [
                nn.Conv2d(inputs, outputs, 3, padding=1, bias=False),
                nn.BatchNorm2d(outputs),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(pool),
            ]

        self.features = nn.Sequential(*block(channels, 16, 2), *block(16, 32, 2), *block(32, 64, (2, 1)))
        self.rnn = nn.GRU(64 * 3, hidden, batch_first=True, bidirectional=True)
        self.classify = nn.Linear(2 * hidden, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 1, 28, W) float, ink dark -> (T, N, classes) log-probabilities, T = W / 4."""
        features = self.features(1.0 - images)  # ink as signal, background 0
        n, channels, height, steps = features.shape
        sequence = features.permute(0, 3, 1, 2).reshape(n, steps, channels * height)
        out, _ = self.rnn(sequence)
        return self.classify(out).log_softmax(2).permute(1, 0, 2)


def greedy_decode(log_probs: torch.Tensor) -> list[str]:
    """Best class per step, repeats merged, blanks dropped."""
    best = log_probs.argmax(2).T.cpu().numpy()  # (N, T)
    labels = []
    for row in best:
        merged = [c for c, _ in itertools.groupby(row.tolist()) if c != CTC_BLANK]
        labels.append(label_of_targets(merged))
    return labels


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """What torch's conv layers expect, channels first: (H, W) grey -> (1, H, W); (H, W, 3) RGB
    (image.color "rgb", e.g. the realistic presets on paper) -> (3, H, W)."""
    tensor = torch.from_numpy(image)
    return tensor[None] if tensor.ndim == 2 else tensor.permute(2, 0, 1)


def evaluate(
    model: CRNN, loader: DataLoader, device: torch.device | str = "cpu", writers: set[int] | None = None
) -> tuple[float, float, int]:
    """(sequence accuracy, digit error rate, sequences) over the loader; ``writers``, when given,
    collects the batches' one-writer ids (-1: digits by any writers)."""
    model.eval()
    right = errors = digits = total = 0
    with torch.no_grad():
        for batch in loader:
            if writers is not None:
                writers.update(batch["writer"].tolist())
            for guess, truth in zip(greedy_decode(model(batch["images"].to(device))), batch["labels"]):
                right += guess == truth
                errors += edit_distance(guess, truth)
                digits += len(truth)
                total += 1
    model.train()
    return right / total, errors / digits, total


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def save_model(model: CRNN, path: str) -> None:
    """The state_dict as an .npz of arrays: no pickle, loadable with allow_pickle=False."""
    arrays = {name: tensor.detach().cpu().numpy() for name, tensor in model.state_dict().items()}
    with open(path, "wb") as out:  # np.savez would add .npz to a name without it
        np.savez(out, **arrays)


def load_model(path: str, device: str = "cpu") -> CRNN:
    """A CRNN with the weights save_model wrote (its classes from the last layer's size)."""
    with np.load(path, allow_pickle=False) as arrays:
        weights = {name: torch.from_numpy(arrays[name]) for name in arrays.files}
    model = CRNN(
        num_classes=weights["classify.weight"].shape[0], channels=weights["features.0.weight"].shape[1]
    )
    model.load_state_dict(weights)
    return model.to(device)


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=600, help="training steps (batches)")
    parser.add_argument(
        "--batch-size", type=int, default=64, help="a multiple of 64 keeps workers on their own blocks"
    )
    parser.add_argument("--lengths", default="4-8", help="sequence lengths MIN-MAX, for training and test")
    parser.add_argument(
        "--preset",
        default=None,
        metavar="NAME",
        help="train and test on a preset's values instead (date, time, amount...: drawn separators, "
        "so the model also reads the symbols)",
    )
    parser.add_argument(
        "--writer",
        choices=("any", "same"),
        default=argparse.SUPPRESS,
        help="training numbers' digits by any writers, or each number by one writer "
        "(sampling.writer; default: any, and with --preset the preset's own: same)",
    )
    parser.add_argument(
        "--augment", action="store_true", help="train on augmented images (the config's classic set)"
    )
    parser.add_argument("--test-count", type=int, default=2000, help="test sequences of MNIST test digits")
    parser.add_argument("--workers", type=int, default=1, help="DataLoader worker processes making images")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads for the model")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the data and the model's initial weights"
    )
    parser.add_argument(
        "--device", default=default_device(), help="torch device: cuda when available, else cpu"
    )
    parser.add_argument("--save", default="crnn.npz", metavar="PATH", help="where the trained weights go")
    parser.add_argument(
        "--smoke", action="store_true", help="a few steps on tiny data, to check it runs (seconds)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.steps, args.batch_size, args.test_count, args.workers = 3, 32, 64, 0
    low, _, high = args.lengths.partition("-")
    lengths = (int(low), int(high or low))
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    config = Config() if args.preset is None else preset_config(args.preset)
    config.image.transform = args.augment
    writer = getattr(args, "writer", config.sampling.writer)
    # What to draw: random digits of the lengths, or a preset's values (drawn separators).
    what = dict(lengths=lengths) if args.preset is None else dict(sequences=preset_source(args.preset))
    # The whole training set is made of MNIST training digits; the test sequences, from the test file.
    train = SequenceDataset(
        args.steps * args.batch_size,
        **what,
        config=config,
        seed=args.seed,
        split="train",
        splits="train=1",
        writer=writer,
        dtype="float32",
        transform=to_tensor,
    )

    def test_loader(writer: str) -> DataLoader:
        """MNIST test-file sequences; the same seed gives both writer settings the same texts."""
        test = SequenceDataset(
            args.test_count,
            **what,
            config=preset_config(args.preset) if args.preset else None,
            seed=args.seed + 1,
            split="test",
            splits="test=1",
            writer=writer,
            dtype="float32",
            transform=to_tensor,
        )
        return DataLoader(test, batch_size=256, num_workers=args.workers, collate_fn=collate_ctc)

    train_loader = DataLoader(
        train, batch_size=args.batch_size, num_workers=args.workers, collate_fn=collate_ctc
    )

    device = torch.device(args.device)
    # blank + the data set's alphabet; 3 input channels for RGB images (image.color "rgb")
    model = CRNN(num_classes=train.num_classes, channels=3 if config.image.color == "rgb" else 1).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=3e-3, total_steps=args.steps, pct_start=0.15
    )
    ctc = nn.CTCLoss(blank=CTC_BLANK, zero_infinity=True)
    started = time.perf_counter()
    done = 0
    try:  # from the first line on: a Ctrl+C as early as that still evaluates and saves
        print(
            f"training on {len(train)} images "
            f"({f'preset {args.preset}' if args.preset else f'{lengths[0]}-{lengths[1]} digits'}, augmentation "
            f"{'on' if args.augment else 'off'}, writer {writer}), {args.steps} steps of {args.batch_size} on {device}",
            flush=True,
        )
        for step, batch in enumerate(train_loader, 1):
            log_probs = model(batch["images"].to(device))
            input_lengths = torch.full((log_probs.shape[1],), log_probs.shape[0], dtype=torch.long)
            loss = ctc(log_probs, batch["targets"], input_lengths, batch["target_lengths"])
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            schedule.step()
            done = step
            if step % max(1, args.steps // 10) == 0 or step == args.steps:
                elapsed = time.perf_counter() - started
                print(
                    f"step {step}/{args.steps}  loss {loss.item():.3f}  {step * args.batch_size / elapsed:.0f} images/s",
                    flush=True,
                )
    except KeyboardInterrupt:  # stopped early: what has been learnt so far is still worth a look
        print(f"stopped after {done} of {args.steps} steps; evaluating the model as it is", flush=True)
    trained = time.perf_counter() - started
    model.eval()  # a step cut short may have left the model in training mode
    accuracy, digit_errors, total = evaluate(model, test_loader("any"), device)
    test_writers: set[int] = set()
    one_accuracy, one_errors, one_total = evaluate(model, test_loader("same"), device, test_writers)
    save_model(model, args.save)
    print(f"trained {trained:.0f} s on {done * args.batch_size} images; weights saved to {args.save}")
    print(
        f"sequence accuracy on {total} sequences of MNIST test digits: {100 * accuracy:.2f}% "
        f"(digit error rate {100 * digit_errors:.2f}%)"
    )
    print(  # the same texts, each number by one of the test file's writers (unseen in training)
        f"sequence accuracy on {one_total} sequences each by one MNIST test writer "
        f"({len(test_writers)} writers): {100 * one_accuracy:.2f}% (digit error rate {100 * one_errors:.2f}%)"
    )


if __name__ == "__main__":
    main()
