/**
 * What every part of the compiler shares with its callers: the compile error and its codes. Sits
 * below the pipeline, the front ends and the calibration reader, so none of them depends on another
 * to report a failure.
 */
package dev.kiln.compiler.api;
