package io.natshift.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void shouldKeepCaptureTimeAndNeverJudgeIngestRecordsByAge() {
        assertThat(Topics.IKE_PACKETS.config())
                .containsEntry("message.timestamp.type", "CreateTime")
                .containsEntry("message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE))
                .containsEntry("retention.ms", "-1")
                .containsKey("retention.bytes");
    }

    @Test
    void shouldNameEveryTopicInKebabCaseUnderTheNatshiftPrefix() {
        assertThat(Topics.all()).isNotEmpty().allSatisfy(t -> assertThat(t.name()).matches("natshift\\.[a-z0-9]+(-[a-z0-9]+)*"));
    }
}
