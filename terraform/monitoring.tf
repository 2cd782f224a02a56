# Alerts: a message on the dead-letter subscription means an event the pipeline
# could not load after max_delivery_attempts; an old unacked message on the
# pipeline's subscription means the consumer is down or falling behind.

resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  display_name          = "salesflow: messages on the dead-letter subscription"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  documentation {
    content   = "Events failed ${var.max_delivery_attempts} deliveries and wait on ${google_pubsub_subscription.dead_letter.name}. Inspect them (gcloud pubsub subscriptions pull ${google_pubsub_subscription.dead_letter.name} --limit 10), fix the cause, then re-publish them to ${google_pubsub_topic.this["sales"].name}."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "undelivered messages > 0"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.dead_letter.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "oldest_unacked_message" {
  display_name          = "salesflow: stream consumer falling behind"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  documentation {
    content   = "The oldest unacknowledged message on ${google_pubsub_subscription.pipeline.name} is older than ${var.max_unacked_age_seconds}s: the ${google_cloud_run_v2_service.stream.name} service is down, failing its commits, or too slow (see its logs; raise stream_max_instances)."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "oldest unacked message age > ${var.max_unacked_age_seconds}s"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.pipeline.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.max_unacked_age_seconds
      duration        = "300s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
}

resource "google_monitoring_alert_policy" "batch_job_failed" {
  display_name          = "salesflow: batch job run failed"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  documentation {
    content   = "A run of the ${google_cloud_run_v2_job.batch.name} Cloud Run job failed: its logs say which file and step; the next run retries what was not committed."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "failed executions > 0"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_job\" AND resource.labels.job_name = \"${google_cloud_run_v2_job.batch.name}\" AND metric.type = \"run.googleapis.com/job/completed_execution_count\" AND metric.labels.result = \"failed\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
}
