/**
 * Class-data sharing for the agent: the AppCDS archive the device JVM options map at start ({@link
 * dev.kiln.agent.cds.ClassDataArchive}), how it is made from the class list the jar carries, and
 * its rebuild when the JDK or the jars change ({@link dev.kiln.agent.cds.BackgroundRefresh}).
 */
package dev.kiln.agent.cds;
