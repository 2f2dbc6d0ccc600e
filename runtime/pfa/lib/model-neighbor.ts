// PFA library: placeholder until its functions land.

export {};
