# Sales events (salesflow publish) → the pipeline's subscription (salesflow
# pipeline stream). A message that keeps failing goes to the dead-letter topic,
# whose subscription keeps it for an operator: nothing is dropped.

resource "google_pubsub_topic" "this" {
  for_each = {
    sales       = "${var.name_prefix}-sales"
    dead_letter = "${var.name_prefix}-sales-dead-letter"
  }

  name                       = each.value
  kms_key_name               = google_kms_crypto_key.data.id
  message_retention_duration = var.topic_retention
  labels                     = local.labels

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_kms_crypto_key_iam_member.grant]
}

resource "google_pubsub_subscription" "pipeline" {
  name                         = "${var.name_prefix}-sales-pipeline"
  topic                        = google_pubsub_topic.this["sales"].id
  ack_deadline_seconds         = var.ack_deadline_seconds
  message_retention_duration   = var.subscription_retention
  retain_acked_messages        = false
  enable_exactly_once_delivery = var.exactly_once_delivery
  labels                       = local.labels

  expiration_policy {
    ttl = "" # never expires, even while the consumer is down
  }

  retry_policy {
    minimum_backoff = var.retry_backoff.minimum
    maximum_backoff = var.retry_backoff.maximum
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.this["dead_letter"].id
    max_delivery_attempts = var.max_delivery_attempts
  }
}

resource "google_pubsub_subscription" "dead_letter" {
  name                       = "${var.name_prefix}-sales-dead-letter"
  topic                      = google_pubsub_topic.this["dead_letter"].id
  ack_deadline_seconds       = 60
  message_retention_duration = var.subscription_retention
  retain_acked_messages      = false
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }
}
