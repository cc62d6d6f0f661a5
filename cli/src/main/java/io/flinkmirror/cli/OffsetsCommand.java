package io.flinkmirror.cli;

import io.flinkmirror.cli.failover.CheckpointReader;
import io.flinkmirror.cli.failover.ClusterGroup;
import io.flinkmirror.cli.failover.FailoverException;
import io.flinkmirror.cli.failover.FailoverException.Reason;
import io.flinkmirror.cli.failover.FailoverPlan;
import io.flinkmirror.job.config.ConfigException;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.udfs.mm2.Checkpoint;
import io.flinkmirror.udfs.topic.TopicSelector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bin/mirror offsets}: move consumer groups from a flow's source cluster to its target with their offsets. */
@Command(name = "offsets", mixinStandardHelpOptions = true,
        description = "Consumer group offsets for failing over from a flow's source cluster to its target.",
        subcommands = {OffsetsCommand.Translate.class})
public final class OffsetsCommand implements Runnable {

    /** Exit code: the offsets were shown (and, with --apply, committed). */
    public static final int OK = 0;
    /** Exit code: a cluster could not be read or written. */
    public static final int KAFKA_ERROR = 1;
    /** Exit code: bad arguments or configuration (picocli's usage-error code too). */
    public static final int CONFIG_ERROR = 2;
    /** Exit code: --apply refused because the group has active members on the target. */
    public static final int GROUP_ACTIVE = 3;
    /** Exit code: no checkpoint for the group. */
    public static final int NO_CHECKPOINT = 4;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code offsets translate}: the group's translated offsets per partition, committed on the target with --apply. */
    @Command(name = "translate", mixinStandardHelpOptions = true,
            description = {"Show the offsets consumer group G has on the flow's source cluster, translated to the "
                    + "target cluster from the latest MirrorMaker 2 checkpoints (<source>.checkpoints.internal on the "
                    + "target), next to the group's committed offsets on both clusters. With --apply, commit them to G "
                    + "on the target: only while G has no active member there, and never moving an offset G already "
                    + "has beyond the translated one back, unless --allow-rewind."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {
                    "0:offsets shown (and committed with --apply)",
                    "1:a cluster could not be read or written",
                    "2:bad arguments or configuration, or several flows match (use --from/--to)",
                    "3:--apply refused: the group has active members on the target",
                    "4:no checkpoint for the group"})
    static final class Translate implements Callable<Integer> {

        private static final Logger LOG = LoggerFactory.getLogger(Translate.class);
        private static final Duration TIMEOUT = Duration.ofSeconds(30);
        private static final Duration SOURCE_TIMEOUT = Duration.ofSeconds(10);

        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE",
                description = "MirrorMaker 2 style properties file of the mirror job.")
        Path config;

        @Option(names = "--group", required = true, paramLabel = "G", description = "Consumer group to fail over.")
        String group;

        @Option(names = "--from", paramLabel = "A", description = "Source cluster alias (needed if several enabled "
                + "flows go to the target).")
        String from;

        @Option(names = "--to", paramLabel = "B", description = "Target cluster alias (default: that of the only "
                + "enabled flow).")
        String to;

        @Option(names = "--apply", description = "Commit the translated offsets to the group on the target.")
        boolean apply;

        @Option(names = "--allow-rewind", description = "With --apply, also move offsets the group has beyond the "
                + "translated ones on the target back to them.")
        boolean allowRewind;

        @Option(names = "--skip-source-check", description = "Do not read the group on the source cluster (e.g. "
                + "when it is down); its committed offsets are then not compared with the checkpoints.")
        boolean skipSourceCheck;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                return translate(spec.commandLine().getOut());
            } catch (ConfigException e) {
                err.println("flink-mirror: " + e.getMessage());
                return CONFIG_ERROR;
            } catch (FailoverException e) {
                err.println("flink-mirror: " + e.getMessage());
                return switch (e.reason()) {
                    case GROUP_ACTIVE -> GROUP_ACTIVE;
                    case NO_CHECKPOINT -> NO_CHECKPOINT;
                    case KAFKA_ERROR -> KAFKA_ERROR;
                };
            } finally {
                err.flush();
            }
        }

        private int translate(PrintWriter out) {
            FlowConfig flow = pickFlow(MirrorConfig.load(config).flows());
            String a = flow.source();
            String b = flow.target();
            Map<TopicPartition, Checkpoint> checkpoints = CheckpointReader.latest(b, flow.targetConsumerProps(),
                    flow.checkpointsTopic(), group, TIMEOUT);
            if (checkpoints.isEmpty()) {
                throw new FailoverException(Reason.NO_CHECKPOINT, "No checkpoint for group '" + group + "' in "
                        + flow.checkpointsTopic() + " on cluster " + b + " (flow " + flow.name() + "): "
                        + whyNoCheckpoint(flow));
            }
            try (ClusterGroup target = new ClusterGroup(b, flow.targetAdminProps(), group, TIMEOUT)) {
                ClusterGroup.Status targetStatus = target.status();
                Map<TopicPartition, Long> targetCommitted = target.committedOffsets();
                ClusterGroup.Status sourceStatus = null;
                Map<TopicPartition, Long> sourceCommitted = null;
                String sourceProblem = skipSourceCheck ? "--skip-source-check" : null;
                if (!skipSourceCheck) {
                    try (ClusterGroup source = new ClusterGroup(a, flow.sourceAdminProps(), group, SOURCE_TIMEOUT)) {
                        sourceStatus = source.status();
                        sourceCommitted = remoteNames(flow, source.committedOffsets());
                    } catch (FailoverException e) {
                        sourceProblem = e.getMessage();
                    }
                }
                FailoverPlan plan = FailoverPlan.of(checkpoints, targetCommitted, sourceCommitted, allowRewind);

                out.printf("Group '%s', flow %s: checkpoints from %s on %s. Group on %s: %s%s%n", group, flow.name(),
                        flow.checkpointsTopic(), b, b, targetStatus,
                        sourceStatus == null ? "" : "; on " + a + ": " + sourceStatus);
                printTable(out, plan, a, b);
                printNotes(out, flow, plan, targetStatus, sourceStatus, sourceProblem);

                Map<TopicPartition, OffsetAndMetadata> offsets = plan.toCommit();
                if (!apply) {
                    out.printf("Dry run, nothing committed: --apply would commit %d offset(s) to group '%s' on %s.%n",
                            offsets.size(), group, b);
                    return OK;
                }
                if (!targetStatus.isInactive()) {
                    throw new FailoverException(Reason.GROUP_ACTIVE, "Refusing to commit offsets: group '" + group
                            + "' on cluster " + b + " is " + targetStatus + "; stop its consumers first (offsets "
                            + "may only be changed while the group is EMPTY or DEAD)");
                }
                if (offsets.isEmpty()) {
                    out.printf("Nothing to commit to group '%s' on %s.%n", group, b);
                    return OK;
                }
                target.commit(offsets);
                LOG.info("{} committed translated offsets of group {} on {}: {}", flow.name(), group, b, offsets);
                out.printf("Committed %d offset(s) to group '%s' on %s. Start its consumers on %s with "
                        + "isolation.level=read_committed.%n", offsets.size(), group, b, b);
                return OK;
            } finally {
                out.flush();
            }
        }

        /** The one enabled flow matching --from/--to, or a ConfigException listing the enabled flows. */
        private FlowConfig pickFlow(List<FlowConfig> flows) {
            List<FlowConfig> matching = flows.stream()
                    .filter(f -> from == null || f.source().equals(from))
                    .filter(f -> to == null || f.target().equals(to))
                    .toList();
            if (matching.size() == 1) {
                return matching.get(0);
            }
            String enabled = flows.isEmpty() ? "none"
                    : flows.stream().map(FlowConfig::name).collect(Collectors.joining(", "));
            String wanted = (from == null ? "*" : from) + "->" + (to == null ? "*" : to);
            if (matching.isEmpty()) {
                throw new ConfigException("No enabled flow " + wanted + " in " + config + " (enabled flows: "
                        + enabled + ")");
            }
            throw new ConfigException("Several enabled flows match " + wanted + " in " + config + ": "
                    + matching.stream().map(FlowConfig::name).collect(Collectors.joining(", "))
                    + "; choose one with --from and --to");
        }

        private String whyNoCheckpoint(FlowConfig flow) {
            if (!flow.groupFilter().shouldReplicateGroup(group)) {
                return "the group is excluded by 'groups'/'groups.exclude' of the flow";
            }
            if (flow.emitCheckpointsInterval().isZero()) {
                return "checkpoints are disabled for the flow (emit.checkpoints.enabled / "
                        + "emit.checkpoints.interval.seconds)";
            }
            return "the running job writes one every " + flow.emitCheckpointsInterval().toSeconds() + " s once the "
                    + "group has committed offsets on " + flow.source() + " for replicated topics and replication "
                    + "has reached them";
        }

        /** The group's source offsets on topics the flow replicates, keyed by their remote names on the target. */
        private static Map<TopicPartition, Long> remoteNames(FlowConfig flow, Map<TopicPartition, Long> offsets) {
            TopicSelector selector = flow.topicSelector();
            Map<TopicPartition, Long> remote = new HashMap<>();
            offsets.forEach((tp, offset) -> {
                if (selector.shouldReplicate(tp.topic())) {
                    remote.put(new TopicPartition(flow.replicationPolicy().formatRemoteTopic(flow.source(),
                            tp.topic()), tp.partition()), offset);
                }
            });
            return remote;
        }

        private static void printTable(PrintWriter out, FailoverPlan plan, String a, String b) {
            List<String[]> lines = new ArrayList<>();
            lines.add(new String[] {"TOPIC", "PARTITION", "SOURCE OFFSET", "TARGET OFFSET", "GROUP ON " + b,
                    "GROUP ON " + a, "ACTION"});
            for (FailoverPlan.Row row : plan.rows()) {
                Checkpoint c = row.checkpoint();
                lines.add(new String[] {row.remote().topic(), String.valueOf(row.remote().partition()),
                        c == null ? "-" : String.valueOf(c.upstreamOffset()),
                        c == null ? "-" : String.valueOf(c.downstreamOffset()),
                        orDash(row.targetCommitted()),
                        plan.sourceKnown() ? orDash(row.sourceCommitted()) : "?",
                        row.action().label()});
            }
            int[] widths = new int[lines.get(0).length];
            for (String[] line : lines) {
                for (int i = 0; i < line.length; i++) {
                    widths[i] = Math.max(widths[i], line[i].length());
                }
            }
            for (String[] line : lines) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < line.length; i++) {
                    sb.append(i == line.length - 1 ? line[i] : String.format("%-" + (widths[i] + 2) + "s", line[i]));
                }
                out.println(sb.toString().stripTrailing());
            }
        }

        private void printNotes(PrintWriter out, FlowConfig flow, FailoverPlan plan, ClusterGroup.Status targetStatus,
                                ClusterGroup.Status sourceStatus, String sourceProblem) {
            String a = flow.source();
            if (sourceProblem != null) {
                out.printf("Group on %s not compared (%s): make sure SOURCE OFFSET equals its committed offsets "
                        + "there before failing over.%n", a, sourceProblem);
            } else {
                if (!sourceStatus.isInactive()) {
                    out.printf("WARNING: group '%s' is still active on %s (%s): stop its consumers there, then "
                            + "wait for the checkpoints to match.%n", group, a, sourceStatus);
                }
                List<FailoverPlan.Row> notMatching = plan.notMatchingSource();
                if (notMatching.isEmpty()) {
                    out.printf("Checkpoints match the group's committed offsets on %s: the translation is exact.%n", a);
                } else {
                    out.printf("WARNING: %d partition(s) have no checkpoint at the group's committed offset on %s "
                            + "(%s): wait for the next checkpoint (every %d s) and rerun until GROUP ON %s equals "
                            + "SOURCE OFFSET.%n", notMatching.size(), a, notMatching.stream()
                            .map(r -> r.remote().toString()).collect(Collectors.joining(", ")),
                            flow.emitCheckpointsInterval().toSeconds(), a);
                }
            }
            if (!plan.keptAhead().isEmpty()) {
                out.printf("%d partition(s) are further on %s than translated and are kept (--allow-rewind moves "
                        + "them back).%n", plan.keptAhead().size(), flow.target());
            }
            if (!targetStatus.isInactive() && apply) {
                return; // the refusal says it
            }
            if (!targetStatus.isInactive()) {
                out.printf("Group '%s' has active members on %s: --apply refuses until they stop.%n", group,
                        flow.target());
            }
        }

        private static String orDash(Long offset) {
            return offset == null ? "-" : String.valueOf(offset);
        }
    }
}
