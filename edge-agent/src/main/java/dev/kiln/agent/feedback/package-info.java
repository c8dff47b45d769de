/**
 * Ground truth and rewards for served requests ({@code POST /feedback}): what the HTTP layer hands
 * on, and the sink the cloud link provides, so neither knows the other.
 */
package dev.kiln.agent.feedback;
