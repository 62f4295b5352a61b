// The organization's logo, or its name as a wordmark when it has none or it fails to load.
import { useState } from 'react';
import type { Organization } from '../../shared/domain/entities.js';

/** The logo URL to show, or null when there is none or it failed to load. */
export function useLogoSource(organization: Organization): {
  src: string | null;
  onError: () => void;
} {
  const [failed, setFailed] = useState<string | null>(null);
  const src = organization.logo.trim();
  return { src: src === '' || failed === src ? null : src, onError: () => setFailed(src) };
}

/** The first letter of a name (whatever its script), for a monogram tile. */
export function initialOf(name: string): string {
  const first = [...name.trim()][0] ?? '';
  return first.toLocaleUpperCase();
}

export function Logo({
  organization,
  className,
}: {
  organization: Organization;
  className?: string;
}) {
  const { src, onError } = useLogoSource(organization);
  if (src === null) {
    return (
      <span className={`wordmark ${className ?? ''}`} aria-label={organization.name}>
        {organization.name}
      </span>
    );
  }
  return (
    <img
      className={`logo ${className ?? ''}`}
      src={src}
      alt={organization.name}
      onError={onError}
    />
  );
}
