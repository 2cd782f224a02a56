output "tables" {
  description = "Tables by name: description, partition_field (DATE column, by day, or null), clustering, schema (JSON)."
  value       = local.tables

  precondition {
    condition     = alltrue([for t in local.tables : length(jsondecode(t.schema)) > 0])
    error_message = "Every table schema must list at least one field; run npm run terraform:generate."
  }
}

output "views" {
  description = "Views by name: description, layer (0 reads tables only, 1 reads layer-0 views too), reads, query (BigQuery SQL)."
  value       = local.views

  precondition {
    condition     = alltrue([for v in local.views : contains([0, 1], v.layer)])
    error_message = "Terraform declares two layers of views; a view in another layer needs a resource in bigquery.tf."
  }
  precondition {
    condition     = length(setintersection(keys(local.tables), keys(local.views))) == 0
    error_message = "A name cannot be both a table and a view."
  }
  precondition {
    condition     = alltrue([for v in local.views : alltrue([for r in v.reads : contains(concat(keys(local.tables), keys(local.views)), r)])])
    error_message = "Every view must read only the warehouse's own tables and views."
  }
}

output "gold" {
  description = "Names of the gold tables and views (gold_*), the ones analysts read."
  value       = local.gold
}

output "reporting_views" {
  description = "Query of each reporting-dataset view, by gold name."
  value       = local.reporting_views
}

output "looker_links" {
  description = "Looker Studio report-create link (Linking API) for each gold table and view, reading the reporting dataset."
  value       = local.looker_links
}
