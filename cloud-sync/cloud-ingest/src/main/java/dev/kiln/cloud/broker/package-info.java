/**
 * The embedded MQTT 5 broker for {@code kiln cloud run} without {@code --broker}. The only package
 * that knows HiveMQ.
 */
package dev.kiln.cloud.broker;
