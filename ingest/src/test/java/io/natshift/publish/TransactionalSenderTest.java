package io.natshift.publish;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.junit.jupiter.api.Test;

/** Which errors end a replay and which abort the transaction and send its records again. */
class TransactionalSenderTest {

    @Test
    void shouldRetryWhenTheBrokerOrCoordinatorWasOnlyAwayOrTimedTheTransactionOut() {
        assertThat(TransactionalSender.isFatal(new TransactionAbortableException("coordinator aborted"))).isFalse();
        assertThat(TransactionalSender.isFatal(new InvalidProducerEpochException("epoch bumped on timeout"))).isFalse();
        assertThat(TransactionalSender.isFatal(new NotLeaderOrFollowerException("restarting"))).isFalse();
        assertThat(TransactionalSender.isFatal(new TimeoutException("expiring 12 records"))).isFalse();
        assertThat(TransactionalSender.isFatal(new KafkaException("Cannot execute transactional method because we are in an error state",
                new TransactionAbortableException("aborted")))).isFalse();
        assertThat(TransactionalSender.isFatal(null)).isFalse();
    }

    @Test
    void shouldStopWhenFencedUnauthorisedOrTheBrokerRefusesTheDataItself() {
        assertThat(TransactionalSender.isFatal(new ProducerFencedException("another producer"))).isTrue();
        assertThat(TransactionalSender.isFatal(new OutOfOrderSequenceException("sequence lost"))).isTrue();
        assertThat(TransactionalSender.isFatal(new TopicAuthorizationException("natshift.ike-packets"))).isTrue();
        assertThat(TransactionalSender.isFatal(new RecordTooLargeException("too big"))).isTrue();
        // wrapped, as commitTransaction reports an earlier failed send
        assertThat(TransactionalSender.isFatal(new KafkaException("Cannot execute transactional method because we are in an error state",
                new InvalidTimestampException("Timestamp 1 of message is out of range")))).isTrue();
    }
}
