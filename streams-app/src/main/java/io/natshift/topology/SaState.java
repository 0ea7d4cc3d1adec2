package io.natshift.topology;

import java.util.ArrayList;
import java.util.List;

/** Per-SA state in the sa-state store (key = initiator SPI): the current attempt, one View per vantage. */
final class SaState {
    static final int ALERTED = 1;
    static final int OUTCOME_SENT = 2;
    static final int REPORTED = 4;
    /** A packet with responder SPI 0 belongs to this attempt: it was seen from its first message. */
    static final int SAW_START = 8;

    long responderSpi;
    int version;
    long firstTs = View.NONE;
    long lastTs = View.NONE;
    int flags;
    int alertView = -1;
    final List<View> views = new ArrayList<>(1);

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    long establishedTs() {
        long t = View.NONE;
        for (View v : views) {
            if (v.establishedTs != View.NONE && (t == View.NONE || v.establishedTs < t)) {
                t = v.establishedTs;
            }
        }
        return t;
    }

    boolean established() {
        return establishedTs() != View.NONE;
    }

    View view(String vantage) {
        for (View v : views) {
            if (v.vantage.equals(vantage)) {
                return v;
            }
        }
        return null;
    }

    /** The view a summary describes: the one that saw the shift, else the one that saw most. */
    View primary() {
        if (alertView >= 0 && alertView < views.size()) {
            return views.get(alertView);
        }
        View best = views.get(0);
        for (View v : views) {
            if (v.packets() > best.packets()) {
                best = v;
            }
        }
        return best;
    }
}
