# The warehouse dataset with every table and view the code creates, from the
# generated catalog (schemas/, tables.json, views/, views.json): a table or view
# added in warehouse/ appears here after `npm run terraform:generate`.

# The warehouse (every table and view the code creates) and the reporting dataset
# (what analysts and Looker Studio read: one view per gold table or view, the
# dataset authorized on the warehouse, so analysts hold no role on the warehouse).
resource "google_bigquery_dataset" "this" {
  for_each = {
    warehouse = { id = var.dataset_id, description = "salesflow warehouse: bronze, silver, quarantine, load log and gold views." }
    reporting = { id = var.reporting_dataset_id, description = "salesflow gold views for analysts and Looker Studio (read-only)." }
  }

  dataset_id                 = each.value.id
  location                   = var.data_location
  description                = each.value.description
  labels                     = local.labels
  delete_contents_on_destroy = false
  deletion_policy            = "PREVENT"

  default_encryption_configuration {
    kms_key_name = google_kms_crypto_key.data.id
  }

  depends_on = [google_kms_crypto_key_iam_member.grant]
}

resource "google_bigquery_table" "table" {
  for_each = module.catalog.tables

  dataset_id          = google_bigquery_dataset.this["warehouse"].dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = each.value.schema
  clustering          = length(each.value.clustering) > 0 ? each.value.clustering : null
  labels              = local.labels
  deletion_protection = true

  dynamic "time_partitioning" {
    for_each = each.value.partition_field == null ? [] : [each.value.partition_field]
    content {
      type  = "DAY"
      field = time_partitioning.value
    }
  }
}

# Views in two layers: a layer-1 view reads layer-0 views, which must exist first.
resource "google_bigquery_table" "view" {
  for_each = { for name, v in module.catalog.views : name => v if v.layer == 0 }

  dataset_id          = google_bigquery_dataset.this["warehouse"].dataset_id
  table_id            = each.key
  description         = each.value.description
  labels              = local.labels
  deletion_protection = true

  view {
    query          = each.value.query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.table]
}

resource "google_bigquery_table" "derived_view" {
  for_each = { for name, v in module.catalog.views : name => v if v.layer == 1 }

  dataset_id          = google_bigquery_dataset.this["warehouse"].dataset_id
  table_id            = each.key
  description         = each.value.description
  labels              = local.labels
  deletion_protection = true

  view {
    query          = each.value.query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.table, google_bigquery_table.view]
}

resource "google_bigquery_table" "reporting_view" {
  for_each = module.catalog.reporting_views

  dataset_id          = google_bigquery_dataset.this["reporting"].dataset_id
  table_id            = each.key
  description         = "Gold ${each.key}, read from the warehouse dataset."
  labels              = local.labels
  deletion_protection = true

  view {
    query          = each.value
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.table, google_bigquery_table.view, google_bigquery_table.derived_view]
}

resource "google_bigquery_dataset_access" "reporting_reads_warehouse" {
  dataset_id = google_bigquery_dataset.this["warehouse"].dataset_id

  dataset {
    dataset {
      project_id = var.project_id
      dataset_id = google_bigquery_dataset.this["reporting"].dataset_id
    }
    target_types = ["VIEWS"]
  }
}
