/**
 * {@code kiln agent}, the group of commands that build what devices run. The agent itself is {@code
 * kiln-agent}, in the edge-agent module.
 */
package dev.kiln.cli.agent;
