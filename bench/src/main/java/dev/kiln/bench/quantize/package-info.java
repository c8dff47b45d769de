/** bench/run quantize: int8 vs fp32 compiled artifacts, timed interleaved, with gate figures. */
package dev.kiln.bench.quantize;
