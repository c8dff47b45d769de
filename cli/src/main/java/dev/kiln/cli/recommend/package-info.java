/**
 * {@code kiln recommend}: measure serving configurations on this host ({@code --local}) or on a
 * device through the fleet's signed {@code benchmark} command ({@code --device}), print the table,
 * pick the configuration for the objective ({@link dev.kiln.cli.recommend.Recommender}) and the
 * {@code agent.json} snippet that applies it ({@link dev.kiln.cli.recommend.ConfigSnippet}).
 */
package dev.kiln.cli.recommend;
