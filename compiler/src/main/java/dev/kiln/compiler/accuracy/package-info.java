/**
 * The accuracy gate of reduced-precision compiles: measures a reduced model's outputs against the
 * fp32 source's on held-out samples (top-1 agreement, relative error, SQNR) and judges them against
 * stated thresholds. Pure arithmetic on host tensors; running the models is the caller's.
 */
package dev.kiln.compiler.accuracy;
