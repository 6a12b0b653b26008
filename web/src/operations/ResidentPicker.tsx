/**
 * Choosing a resident by their home, keyboard first: type part of the address or a name in the
 * home field (the hub searches), arrows, Enter; the resident is chosen at once when the home has
 * one. Used by the service-call form and the welfare-plan form.
 */
import type { HomeSummaryDto, ResidentDto } from '@anxin/protocol';
import { Select } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { listHomes, listResidents } from '../api/hub';

const homeLabel = (h: HomeSummaryDto): string => `${h.address} · ${h.residentNames.join(', ')}`;

export interface ResidentPickerProps {
  homeLabel: string;
  residentLabel: string;
  residentId: string | null;
  onResident: (residentId: string | null) => void;
  onError: (error: unknown) => void;
  /** Test ids of the two fields (e.g. sr-home, sr-resident). */
  testIdPrefix: string;
}

export function ResidentPicker({
  homeLabel: homeText,
  residentLabel,
  residentId,
  onResident,
  onError,
  testIdPrefix,
}: ResidentPickerProps) {
  const [homes, setHomes] = useState<HomeSummaryDto[]>([]);
  const [search, setSearch] = useState('');
  const [homeId, setHomeId] = useState<string | null>(null);
  const [residents, setResidents] = useState<ResidentDto[]>([]);
  const callbacks = useRef({ onResident, onError });
  callbacks.current = { onResident, onError };

  // Homes matching what was typed (the hub filters by address and resident name).
  // The chosen home stays in the list (its label is shown), and choosing it (which puts its
  // label in the search box) does not search again.
  const homesRef = useRef(homes);
  homesRef.current = homes;
  useEffect(() => {
    if (homesRef.current.some((h) => homeLabel(h) === search)) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      listHomes({ q: search.trim() || undefined, limit: 50 }, controller.signal)
        .then((r) => setHomes(r.homes))
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [search]);

  useEffect(() => {
    setResidents([]);
    callbacks.current.onResident(null);
    if (homeId === null) return;
    const controller = new AbortController();
    listResidents(homeId, controller.signal)
      .then((r) => {
        setResidents(r.residents);
        if (r.residents.length === 1) callbacks.current.onResident(r.residents[0]?.id ?? null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) callbacks.current.onError(e);
      });
    return () => controller.abort();
  }, [homeId]);

  return (
    <>
      <Select
        label={homeText}
        data-autofocus
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        filter={({ options, search: typed }) => {
          // Filtered here at once as well as by the hub, so Enter never picks a stale match.
          const needle = typed.trim().toLowerCase();
          return options.filter(
            (o) => needle === '' || ('label' in o && o.label.toLowerCase().includes(needle)),
          );
        }}
        data={homes.map((h) => ({ value: h.id, label: homeLabel(h) }))}
        value={homeId}
        onChange={setHomeId}
        data-testid={`${testIdPrefix}-home`}
      />
      <Select
        label={residentLabel}
        data={residents.map((r) => ({ value: r.id, label: r.name }))}
        value={residentId}
        onChange={onResident}
        data-testid={`${testIdPrefix}-resident`}
      />
    </>
  );
}
