from pcndev.forms import NHSForm, date_from_parts


class PhaseDatesForm(NHSForm):
    anchors = {"starts_on": "#starts_on-day", "ends_on": "#ends_on-day"}

    def clean(self):
        data = super().clean()
        for name, what in (("starts_on", "start"), ("ends_on", "end")):
            value = date_from_parts(self.data, name)
            if value is None:
                self.errors.setdefault(name, self.error_class([f"Enter the {what} date"]))
            elif value == "invalid":
                self.errors.setdefault(name, self.error_class([f"The {what} date must be a real date"]))
            else:
                data[name] = value
        if "starts_on" in data and "ends_on" in data and data["ends_on"] < data["starts_on"]:
            self.errors.setdefault(
                "ends_on", self.error_class(["The end date must be the same as or after the start date"])
            )
        return data
