/**
 * Who may drive the agent over HTTP: the bearer token and its file, the endpoints open without one,
 * the cross-site check on state-changing requests, and the folders {@code POST /models} may install
 * from. Pure decisions on request values; {@code dev.kiln.agent.http} applies them to each exchange
 * before its body is read.
 */
package dev.kiln.agent.http.access;
