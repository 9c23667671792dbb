"""Keeping the record safe: backup, restore, passphrase change, export, tamper checks.

Each feature is one typed function that the command line and the windows call alike; the
long ones take a `progress` callback that receives a fraction from 0.0 to 1.0. This
package file imports nothing, so `models.vault` may use `models.safekeeping.files`.
"""
