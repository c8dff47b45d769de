/**
 * {@code kiln demo}: compile a sample, start the cloud side and two real agent processes, send
 * traffic, roll out a new version with a canary and show the captured predictions and the fleet.
 */
package dev.kiln.cli.demo;
