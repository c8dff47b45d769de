/**
 * The agent against the seeds' reference container (gunicorn, Flask and torch answering {@code POST
 * /invocations} from a TorchScript model), same model, same JSON body, same closed-loop client.
 */
package dev.kiln.bench.peer;
