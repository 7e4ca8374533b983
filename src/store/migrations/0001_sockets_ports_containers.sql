CREATE TABLE `sockets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `sockets_from_to` ON `sockets` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `sockets_to_from` ON `sockets` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `sockets_key` ON `sockets` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `forwarded_ports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `forwarded_ports_from_to` ON `forwarded_ports` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `forwarded_ports_to_from` ON `forwarded_ports` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `forwarded_ports_key` ON `forwarded_ports` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `engines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `engines_from_to` ON `engines` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `engines_to_from` ON `engines` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `engines_key` ON `engines` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `containers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `containers_from_to` ON `containers` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `containers_to_from` ON `containers` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `containers_key` ON `containers` (`key`,`valid_from`);--> statement-breakpoint
CREATE TABLE `container_networks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `container_networks_from_to` ON `container_networks` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `container_networks_to_from` ON `container_networks` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `container_networks_key` ON `container_networks` (`key`,`valid_from`);