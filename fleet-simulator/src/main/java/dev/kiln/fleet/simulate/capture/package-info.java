/**
 * Simulated capture load: devices that publish capture batches of CNN-sized records as the agent's
 * capture path would, for the ingest benchmark and the exactly-once test of ingest replicas.
 */
package dev.kiln.fleet.simulate.capture;
