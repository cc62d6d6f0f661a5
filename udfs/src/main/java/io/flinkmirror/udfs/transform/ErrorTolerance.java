package io.flinkmirror.udfs.transform;

import java.util.Locale;

/** Kafka Connect's {@code errors.tolerance}: what a record whose transform fails does to the flow. */
public enum ErrorTolerance {
    /** The flow fails on the record, naming it and the transform (Connect's default). */
    NONE,
    /** The record is skipped, counted and logged; the flow goes on. */
    ALL;

    /** As written in the config file: {@code none} or {@code all}. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
