/**
 * Offline batch transform: running a model over {@code .jsonl} files, with checkpoints so an
 * interrupted run resumes without losing or repeating a line.
 */
package dev.kiln.agent.batch;
