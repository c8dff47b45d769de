/**
 * Console replicas on one PostgreSQL: {@link dev.kiln.fleet.replica.ConsoleReplica} runs the
 * console only while it holds the leader lease and hands over on failure; {@link
 * dev.kiln.fleet.replica.ReplyWitness} keeps the replies a follower hears, so the replica that
 * takes over sees the ones the dead leader took without persisting.
 */
package dev.kiln.fleet.replica;
