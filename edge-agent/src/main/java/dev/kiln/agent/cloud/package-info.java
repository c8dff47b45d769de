/**
 * The agent's link to the cloud: served traffic becomes capture records and the agent's state
 * becomes heartbeats, sent through device-link, and fleet commands are handed on to {@code
 * dev.kiln.agent.fleet}. Serving does not depend on this package, so an agent without a cloud
 * serves the same way.
 */
package dev.kiln.agent.cloud;
