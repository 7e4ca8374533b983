CREATE TABLE `pods` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `pods_from_to` ON `pods` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `pods_to_from` ON `pods` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `pods_key` ON `pods` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `services` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `services_from_to` ON `services` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `services_to_from` ON `services` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `services_key` ON `services` (`key`,`valid_from`);