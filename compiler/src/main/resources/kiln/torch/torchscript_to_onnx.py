"""Converts a TorchScript archive to ONNX for Kiln's compiler.

Kiln runs this with the host's python (KILN_PYTHON, else /usr/bin/python3, else python3) after
extracting it into the compile's private work directory. It only loads, exports and reports:
optimization, shape fixing and verification happen in Kiln, so the export is kept literal
(no constant folding).

Usage:
  torchscript_to_onnx.py --model M.pt --out M.onnx --opset 13
      --input NAME:DTYPE:DIMS [--input ...] [--dynamic-batch]

DIMS is like 1x3x32x32. The last stdout line is JSON:
  {"torch": "1.13.0", "opset": 13, "inputs": [...], "outputs": [{"name", "shape"}, ...]}
Exit codes: 0 done, 2 bad arguments, 3 the model does not load, 4 forward fails, 5 export fails.
Errors go to stderr as one line starting with "kiln:".
"""

import argparse
import json
import sys
import warnings

MIN_OPSET = 13
MAX_OPSET = 17


def fail(code, message):
    print("kiln: " + message, file=sys.stderr)
    sys.exit(code)


def parse_input(spec):
    parts = spec.rsplit(":", 2)
    if len(parts) != 3:
        fail(2, "bad --input %r; expected NAME:DTYPE:DIMS" % spec)
    name, dtype, dims = parts
    try:
        shape = [int(d) for d in dims.split("x")]
    except ValueError:
        fail(2, "bad dims in --input %r" % spec)
    if dtype not in ("float32", "int64"):
        fail(2, "input %s has dtype %s; Kiln converts float32 and int64 inputs" % (name, dtype))
    return name, dtype, shape


def example(torch, dtype, shape):
    # Seeded so that reruns export the same graph; values only drive shape inference.
    gen = torch.Generator().manual_seed(20261124)
    if dtype == "int64":
        return torch.randint(0, 10, shape, generator=gen, dtype=torch.int64)
    return torch.randn(shape, generator=gen, dtype=torch.float32)


def flatten_outputs(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--opset", type=int, default=MIN_OPSET)
    parser.add_argument("--input", action="append", required=True)
    parser.add_argument("--dynamic-batch", action="store_true")
    args = parser.parse_args()
    if not MIN_OPSET <= args.opset <= MAX_OPSET:
        fail(2, "opset %d is outside %d-%d" % (args.opset, MIN_OPSET, MAX_OPSET))

    # torch warns about ScriptModule signatures and tracing on every export; Kiln checks the
    # result itself, and a clean stderr keeps real errors readable.
    warnings.filterwarnings("ignore")
    import torch

    torch.manual_seed(0)
    inputs = [parse_input(s) for s in args.input]
    try:
        module = torch.jit.load(args.model, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - torch raises several types here
        fail(3, "torch.jit.load failed: %s" % str(e).strip().splitlines()[-1])
    module.eval()

    tensors = tuple(example(torch, dtype, shape) for _, dtype, shape in inputs)
    try:
        with torch.no_grad():
            outs = flatten_outputs(module(*tensors))
    except Exception as e:  # noqa: BLE001
        fail(4, "forward failed: %s" % str(e).strip().splitlines()[-1])
    if not all(isinstance(o, torch.Tensor) for o in outs):
        fail(4, "forward returned something other than tensors; Kiln needs tensor outputs")

    input_names = [name for name, _, _ in inputs]
    output_names = ["output"] if len(outs) == 1 else ["output%d" % i for i in range(len(outs))]
    dynamic_axes = None
    if args.dynamic_batch:
        dynamic_axes = {n: {0: "batch"} for n in input_names + output_names}
    try:
        with torch.no_grad():
            torch.onnx.export(
                module,
                tensors,
                args.out,
                opset_version=args.opset,
                input_names=input_names,
                output_names=output_names,
                dynamic_axes=dynamic_axes,
                do_constant_folding=False,
            )
    except Exception as e:  # noqa: BLE001
        fail(5, "torch.onnx.export failed: %s" % str(e).strip().splitlines()[-1])

    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "opset": args.opset,
                "inputs": input_names,
                "outputs": [{"name": n, "shape": list(o.shape)} for n, o in zip(output_names, outs)],
            }
        )
    )


if __name__ == "__main__":
    main()
