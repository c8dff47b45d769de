"""The seeds' reference container for `bench/run peer`: Flask under gunicorn's sync workers,
answering SageMaker's `POST /invocations` and `GET /ping` from a TorchScript model, as a typical
SageMaker PyTorch serving container does.

The body is the agent's own JSON form, `{"inputs": {"<name>": nested array, ...}}`, inputs taken
in the order given; the answer is `{"outputs": [nested array, ...]}`, one per model output.

Environment: KILN_REFERENCE_MODEL (the TorchScript file), KILN_REFERENCE_THREADS (torch's
intra-op threads per worker, 1 by default: two sync workers on two cores, one core each),
KILN_REFERENCE_OPTIMIZE (1 by default: freeze the module and run torch.jit.optimize_for_inference,
PyTorch's own recipe for CPU inference; 0 serves the module as loaded). Debian's torch is built
with generic BLAS, and its plain 1x1 convolutions go through it: mobilenet_v2 takes about 170 ms
per call as loaded and 11 ms optimized (oneDNN for every convolution), on 1 thread here. The
reference should be the best this stack does, not a straw man.
gunicorn imports this module in each worker (no --preload), so every worker sets its own threads.
"""
import json
import os

import torch
from flask import Flask, Response, request

torch.set_num_threads(int(os.environ.get("KILN_REFERENCE_THREADS", "1")))
torch.set_num_interop_threads(1)
model = torch.jit.load(os.environ["KILN_REFERENCE_MODEL"], map_location="cpu").eval()
if os.environ.get("KILN_REFERENCE_OPTIMIZE", "1") == "1":
    model = torch.jit.optimize_for_inference(torch.jit.freeze(model))
app = Flask(__name__)


@app.get("/ping")
def ping():
    return Response(status=200)


@app.post("/invocations")
def invocations():
    body = request.get_json(force=True)
    inputs = [torch.tensor(v, dtype=torch.float32) for v in body["inputs"].values()]
    with torch.inference_mode():
        result = model(*inputs)
    outputs = result if isinstance(result, (tuple, list)) else (result,)
    return Response(
        json.dumps({"outputs": [o.tolist() for o in outputs]}), mimetype="application/json"
    )
