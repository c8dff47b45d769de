/**
 * The running agent, wired from one config, and its one exception type and error codes. The parts
 * it wires (store, serving, HTTP, cloud link) live in the subpackages.
 */
package dev.kiln.agent;
