package io.natshift.synth;

/** An established SA's outside address changed later (MOBIKE or NAT rebinding): not a shift. */
final class AddressUpdate {
    final Attempt sa;
    final Endpoint from;
    final Endpoint to;
    final String kind;
    long frame = -1;
    long micros = -1;

    AddressUpdate(Attempt sa, Endpoint from, Endpoint to, String kind) {
        this.sa = sa;
        this.from = from;
        this.to = to;
        this.kind = kind;
    }
}
