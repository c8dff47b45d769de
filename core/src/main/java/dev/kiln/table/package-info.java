/**
 * Output for people at a terminal: {@link dev.kiln.table.TextTable} is the one aligned-column table
 * every command prints (compile reports, profiles, fleet devices and deployments, data queries).
 */
package dev.kiln.table;
