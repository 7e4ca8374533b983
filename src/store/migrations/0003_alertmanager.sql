ALTER TABLE `alert_rules` ADD `webhook_format` text DEFAULT 'wiresight' NOT NULL;--> statement-breakpoint
ALTER TABLE `alert_rules` ADD `webhook_headers` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `alert_rules` ADD `webhook_secret` text;--> statement-breakpoint
ALTER TABLE `alert_rules` ADD `scope` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `labels` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `annotations` text DEFAULT '{}' NOT NULL;