#!/usr/bin/python3
"""The closed loop's sample task (`kiln loop`): a small classifier whose inputs drift.

Two features, two classes. The truth is a curved boundary:

    label = 1 if x1 > 1.5 * cos(1.3 * x0) else 0

Before the drift, x0 ~ N(0, 0.7) and x1 ~ N(0, 1.5); around x0 = 0 the boundary is a hump, which a
small ReLU network learns well (version 1, written here). After the drift x0 ~ N(3.0, 0.5): there
the boundary rises again, which version 1 never saw; a ReLU network extrapolates its last slope
downwards, so it is wrong on a large share of the drifted inputs. A few seconds of fine-tuning on
labelled drifted inputs (samples/retrain.py) fixes it.

The Java side (dev.kiln.cli.loop.LoopTask) draws the same distributions and labels with the same
rule; keep the two in step.

Run with the Debian python (torch 1.13, onnx 1.12):

    /usr/bin/python3 samples/drift_task.py            # -> samples/models/drift/drift.onnx
"""

import argparse
import io
import pathlib
import sys

import numpy as np
import onnx
import torch

SEED = 20261203
INPUT = "input"
OUTPUT = "output"
BATCH = "batch"
OPSET = 13

BASE = {"x0_mean": 0.0, "x0_std": 0.7, "x1_mean": 0.0, "x1_std": 1.5}
DRIFTED = {"x0_mean": 3.0, "x0_std": 0.5, "x1_mean": 0.0, "x1_std": 1.5}


def draw(n, dist, generator):
    x0 = torch.randn(n, generator=generator) * dist["x0_std"] + dist["x0_mean"]
    x1 = torch.randn(n, generator=generator) * dist["x1_std"] + dist["x1_mean"]
    return torch.stack([x0, x1], dim=1)


def truth(x):
    return (x[:, 1] > 1.5 * torch.cos(1.3 * x[:, 0])).long()


class Mlp(torch.nn.Module):
    """Linear 2->16, ReLU, Linear 16->16, ReLU, Linear 16->2 (logits)."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2, 16),
            torch.nn.ReLU(),
            torch.nn.Linear(16, 16),
            torch.nn.ReLU(),
            torch.nn.Linear(16, 2),
        )

    def forward(self, x):
        return self.net(x)


def train(model, x, y, steps, lr):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model.eval()


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


def export(model, path):
    buffer = io.BytesIO()
    torch.onnx.export(
        model,
        torch.zeros(1, 2),
        buffer,
        opset_version=OPSET,
        input_names=[INPUT],
        output_names=[OUTPUT],
        dynamic_axes={INPUT: {0: BATCH}, OUTPUT: {0: BATCH}},
    )
    proto = onnx.load_from_string(buffer.getvalue())
    proto.doc_string = ""
    proto.graph.doc_string = ""
    for node in proto.graph.node:
        node.doc_string = ""
    onnx.checker.check_model(proto, full_check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(proto.SerializeToString())


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = pathlib.Path(__file__).resolve().parent
    parser.add_argument("--out", type=pathlib.Path, default=here / "models" / "drift" / "drift.onnx")
    args = parser.parse_args(argv)
    torch.manual_seed(SEED)
    generator = torch.Generator().manual_seed(SEED)
    x = draw(4000, BASE, generator)
    model = train(Mlp(), x, truth(x), steps=600, lr=0.01)
    base = draw(2000, BASE, generator)
    drifted = draw(2000, DRIFTED, generator)
    print(f"version 1: accuracy {accuracy(model, base, truth(base)):.3f} before the drift,"
          f" {accuracy(model, drifted, truth(drifted)):.3f} after")
    export(model, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
