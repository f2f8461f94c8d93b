/// Angles `y` around `b * x`, with concentration 1/sigma^2.
fn circular_regression<'__model>(
    x: &'__model [f64],
    y: Option<&'__model [f64]>,
) -> circular_regression::Model<'__model> {
    circular_regression::Model {
        x,
        y,
        __reparam: circular_regression::Reparams::default(),
        __data: ::core::marker::PhantomData,
    }
}
///The typed sites of model [`circular_regression`](fn@circular_regression): markers, draw structs and configuration.
#[allow(non_camel_case_types, non_snake_case, clippy::all)]
mod circular_regression {
    #[allow(unused_imports)]
    use super::*;
    /// Zero-sized markers, one per site, carrying its name, role and distribution type.
    pub mod site {
        ///Marker of site `b`: latent site, drawn from `Normal`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct b;
        ///Marker of site `sigma`: latent site, drawn from `Exponential`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct sigma;
        ///Marker of site `obs`: observed site, drawn from `VonMises`, one `Vec` entry per element of plate `data`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct obs;
    }
    /// The site types of this model, tying its typed structs together.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Sites;
    #[doc(hidden)]
    pub const __SITE_NAMES: &[&str] = &["b", "sigma", "obs"];
    /// Values of the latent sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Latent {
        ///`b`: latent site, drawn from `Normal`.
        pub b: <site::b as ::model_runtime::__private::Site>::Field,
        ///`sigma`: latent site, drawn from `Exponential`.
        pub sigma: <site::sigma as ::model_runtime::__private::Site>::Field,
    }
    /// Values of the observed sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Observed {
        ///`obs`: observed site, drawn from `VonMises`, one `Vec` entry per element of plate `data`.
        pub obs: <site::obs as ::model_runtime::__private::Site>::Field,
    }
    /// One complete draw: latent, observed and deterministic sites.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Draw {
        ///`b`: latent site, drawn from `Normal`.
        pub b: <site::b as ::model_runtime::__private::Site>::Field,
        ///`sigma`: latent site, drawn from `Exponential`.
        pub sigma: <site::sigma as ::model_runtime::__private::Site>::Field,
        ///`obs`: observed site, drawn from `VonMises`, one `Vec` entry per element of plate `data`.
        pub obs: <site::obs as ::model_runtime::__private::Site>::Field,
    }
    /// Many draws, stored by site: one `Vec` per site with one entry per draw.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Draws {
        ///`b`: latent site, drawn from `Normal`. One entry per draw.
        pub b: ::std::vec::Vec<<site::b as ::model_runtime::__private::Site>::Field>,
        ///`sigma`: latent site, drawn from `Exponential`. One entry per draw.
        pub sigma: ::std::vec::Vec<
            <site::sigma as ::model_runtime::__private::Site>::Field,
        >,
        ///`obs`: observed site, drawn from `VonMises`, one `Vec` entry per element of plate `data`. One entry per draw.
        pub obs: ::std::vec::Vec<<site::obs as ::model_runtime::__private::Site>::Field>,
        __draws: usize,
    }
    /// The pointwise log-likelihood of the observed sites over many draws
    /// (`Fit::log_likelihood`), for PSIS-LOO and WAIC: each observed site's column holds,
    /// per draw, one value per observed element, nested like the site.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct LogLikelihood {
        ///Pointwise log-likelihood of site `obs`: observed site, drawn from `VonMises`, one `Vec` entry per element of plate `data`., one entry per draw.
        pub obs: ::std::vec::Vec<
            <site::obs as ::model_runtime::__private::SampleSite>::LogLik,
        >,
    }
    /// How inference explores each latent site; set with the typed setters.
    #[derive(Clone, Debug, Default)]
    pub struct Reparams {
        #[doc(hidden)]
        pub b: ::model_runtime::__private::ReparamSlot<site::b>,
        #[doc(hidden)]
        pub sigma: ::model_runtime::__private::ReparamSlot<site::sigma>,
    }
    impl Reparams {
        ///Reparameterizes the latent site `b`.
        pub fn b<R: ::model_runtime::__private::ReparamOn<site::b>>(
            mut self,
            reparameterizer: R,
        ) -> Self {
            self.b = ::model_runtime::__private::ReparamOn::into_slot(reparameterizer);
            self
        }
        ///Reparameterizes the latent site `sigma`.
        pub fn sigma<R: ::model_runtime::__private::ReparamOn<site::sigma>>(
            mut self,
            reparameterizer: R,
        ) -> Self {
            self.sigma = ::model_runtime::__private::ReparamOn::into_slot(
                reparameterizer,
            );
            self
        }
        ///`obs` is observed and cannot be reparameterized; this setter exists so that the compiler explains why.
        #[doc(hidden)]
        pub fn obs<R: ::model_runtime::__private::ReparamOn<site::obs>>(
            self,
            reparameterizer: R,
        ) -> Self {
            let _ = reparameterizer;
            self
        }
    }
    /// The model bound to its data.
    pub struct Model<'__model> {
        ///Data argument.
        pub x: &'__model [f64],
        ///Data argument.
        pub y: Option<&'__model [f64]>,
        #[doc(hidden)]
        pub __reparam: Reparams,
        #[doc(hidden)]
        pub __data: ::core::marker::PhantomData<&'__model ()>,
    }
    impl<'__model> Model<'__model> {
        /// Sets how inference explores latent sites: `model.reparam(|r| r.site(Reparameterizer))`.
        pub fn reparam(
            mut self,
            configure: impl ::core::ops::FnOnce(Reparams) -> Reparams,
        ) -> Self {
            self.__reparam = configure(self.__reparam);
            self
        }
    }
    impl ::model_runtime::__private::ModelSites for Sites {
        const NAME: &'static str = stringify!(circular_regression);
        type Latent = Latent;
        type Observed = Observed;
        type Draw = Draw;
        type Draws = Draws;
        type LogLikelihood = LogLikelihood;
        type LatentSites = (site::b, (site::sigma, ()));
        const DISCRETE_LATENT: bool = false
            || !<<site::b as ::model_runtime::__private::SampleSite>::Kind as ::model_runtime::__private::ValueKind>::CONTINUOUS
            || !<<site::sigma as ::model_runtime::__private::SampleSite>::Kind as ::model_runtime::__private::ValueKind>::CONTINUOUS;
        fn latent_of(draw: &Draw) -> Latent {
            Latent {
                b: ::core::clone::Clone::clone(&draw.b),
                sigma: ::core::clone::Clone::clone(&draw.sigma),
            }
        }
        fn sites() -> &'static [(&'static str, ::model_runtime::__private::Role)] {
            &[
                ("b", ::model_runtime::__private::Role::Latent),
                ("sigma", ::model_runtime::__private::Role::Latent),
                ("obs", ::model_runtime::__private::Role::Observed),
            ]
        }
        fn visit<V: ::model_runtime::__private::SiteVisitor<Self>>(visitor: &mut V) {
            visitor.sample::<site::b>();
            visitor.sample::<site::sigma>();
            visitor.sample::<site::obs>();
        }
    }
    impl ::model_runtime::__private::Columns for Draws {
        type Sites = Sites;
        fn len(&self) -> usize {
            self.__draws
        }
        fn set_len(&mut self, len: usize) {
            self.__draws = len;
        }
        fn latent(
            &self,
            i: usize,
        ) -> ::core::result::Result<Latent, ::model_runtime::__private::ModelError> {
            ::core::result::Result::Ok(Latent {
                b: ::model_runtime::__private::column_entry(&self.b, i, "b")?,
                sigma: ::model_runtime::__private::column_entry(&self.sigma, i, "sigma")?,
            })
        }
    }
}
impl ::model_runtime::__private::Site for circular_regression::site::b {
    type Model = circular_regression::Sites;
    const NAME: &'static str = "b";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Latent;
    const DEPTH: usize = 0usize;
    const PLATES: &'static [&'static str] = &[];
    const INDEX: usize = 0usize;
    type Element = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    #[inline]
    fn field(
        draw: &circular_regression::Draw,
    ) -> &<<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &draw.b
    }
    #[inline]
    fn field_mut(
        draw: &mut circular_regression::Draw,
    ) -> &mut <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &mut draw.b
    }
    #[inline]
    fn column(
        columns: &circular_regression::Draws,
    ) -> &::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &columns.b
    }
    #[inline]
    fn column_mut(
        columns: &mut circular_regression::Draws,
    ) -> &mut ::std::vec::Vec<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut columns.b
    }
}
impl ::model_runtime::__private::SampleSite for circular_regression::site::b {
    type Dist = Normal;
    type Kind = <Normal as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &circular_regression::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut circular_regression::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &circular_regression::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Normal as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::model_runtime::__private::Nested::element(&latent.b, index).cloned()
    }
}
impl ::model_runtime::__private::LatentSite for circular_regression::site::b {}
impl ::model_runtime::__private::Site for circular_regression::site::sigma {
    type Model = circular_regression::Sites;
    const NAME: &'static str = "sigma";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Latent;
    const DEPTH: usize = 0usize;
    const PLATES: &'static [&'static str] = &[];
    const INDEX: usize = 1usize;
    type Element = <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    #[inline]
    fn field(
        draw: &circular_regression::Draw,
    ) -> &<<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &draw.sigma
    }
    #[inline]
    fn field_mut(
        draw: &mut circular_regression::Draw,
    ) -> &mut <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain {
        &mut draw.sigma
    }
    #[inline]
    fn column(
        columns: &circular_regression::Draws,
    ) -> &::std::vec::Vec<
        <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &columns.sigma
    }
    #[inline]
    fn column_mut(
        columns: &mut circular_regression::Draws,
    ) -> &mut ::std::vec::Vec<
        <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut columns.sigma
    }
}
impl ::model_runtime::__private::SampleSite for circular_regression::site::sigma {
    type Dist = Exponential;
    type Kind = <Exponential as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &circular_regression::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut circular_regression::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
        >,
    > {
        ::core::option::Option::None
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &circular_regression::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<Exponential as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::model_runtime::__private::Nested::element(&latent.sigma, index).cloned()
    }
}
impl ::model_runtime::__private::LatentSite for circular_regression::site::sigma {}
impl ::model_runtime::__private::Site for circular_regression::site::obs {
    type Model = circular_regression::Sites;
    const NAME: &'static str = "obs";
    const ROLE: ::model_runtime::__private::Role = ::model_runtime::__private::Role::Observed;
    const DEPTH: usize = 1usize;
    const PLATES: &'static [&'static str] = &["data"];
    const INDEX: usize = 2usize;
    type Element = <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain;
    type Field = ::std::vec::Vec<
        <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    >;
    #[inline]
    fn field(
        draw: &circular_regression::Draw,
    ) -> &::std::vec::Vec<
        <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &draw.obs
    }
    #[inline]
    fn field_mut(
        draw: &mut circular_regression::Draw,
    ) -> &mut ::std::vec::Vec<
        <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        &mut draw.obs
    }
    #[inline]
    fn column(
        columns: &circular_regression::Draws,
    ) -> &::std::vec::Vec<
        ::std::vec::Vec<
            <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &columns.obs
    }
    #[inline]
    fn column_mut(
        columns: &mut circular_regression::Draws,
    ) -> &mut ::std::vec::Vec<
        ::std::vec::Vec<
            <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
        >,
    > {
        &mut columns.obs
    }
}
impl ::model_runtime::__private::SampleSite for circular_regression::site::obs {
    type Dist = VonMises;
    type Kind = <VonMises as ::model_runtime::__private::Distribution>::Kind;
    type LogLik = ::std::vec::Vec<
        <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
    >;
    #[allow(unused_variables)]
    fn log_likelihood(
        log_lik: &circular_regression::LogLikelihood,
    ) -> ::core::option::Option<
        &::std::vec::Vec<
            ::std::vec::Vec<
                <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
            >,
        >,
    > {
        ::core::option::Option::Some(&log_lik.obs)
    }
    #[allow(unused_variables)]
    fn log_likelihood_mut(
        log_lik: &mut circular_regression::LogLikelihood,
    ) -> ::core::option::Option<
        &mut ::std::vec::Vec<
            ::std::vec::Vec<
                <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Pointwise,
            >,
        >,
    > {
        ::core::option::Option::Some(&mut log_lik.obs)
    }
    #[allow(unused_variables)]
    fn lookup(
        latent: &circular_regression::Latent,
        index: &[usize],
    ) -> ::core::option::Option<
        <<VonMises as ::model_runtime::__private::Distribution>::Kind as ::model_runtime::__private::ValueKind>::Plain,
    > {
        ::core::option::Option::None
    }
}
impl ::model_runtime::__private::ObservedSite for circular_regression::site::obs {}
const _: fn() = ::model_runtime::__private::assert_samplable::<VonMises>;
impl<'__model> ::model_runtime::__private::Model
for circular_regression::Model<'__model> {
    type Sites = circular_regression::Sites;
}
impl<'__model> ::model_runtime::__private::Body<f64>
for circular_regression::Model<'__model> {
    #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
    fn body<__H>(
        &self,
        __handler: &mut __H,
    ) -> ::core::result::Result<(), ::model_runtime::__private::ModelError>
    where
        __H: ::model_runtime::__private::Handler<circular_regression::Sites, f64>,
    {
        type __T = f64;
        /// A data value as this body's scalar (see `model_runtime::scalar`).
        #[allow(dead_code)]
        fn scalar(x: f64) -> __T {
            <__T as ::model_runtime::__private::Scalar>::from_f64(x)
        }
        let x = self.x;
        let y = self.y;
        let b = {
            ::model_runtime::__private::enter::<
                circular_regression::Sites,
                __T,
                __H,
            >(__handler, "b", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Normal::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(0.0),
                        ::model_runtime::__private::IntoParam::<__T>::into_param(1.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    circular_regression::site::b,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.b)?
            }
        };
        let sigma = {
            ::model_runtime::__private::enter::<
                circular_regression::Sites,
                __T,
                __H,
            >(__handler, "sigma", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Exponential::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(1.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    circular_regression::site::sigma,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.sigma)?
            }
        };
        let kappa = 1.0 / (sigma * sigma);
        {
            ::model_runtime::__private::enter::<
                circular_regression::Sites,
                __T,
                __H,
            >(__handler, "data", &[]);
            {
                let __plate_size: usize = x.len();
                {
                    #[allow(unused_imports)]
                    use ::model_runtime::__private::{
                        KnownDataLen as _, UnknownDataLen as _,
                    };
                    ::model_runtime::__private::check_plate_data(
                        "data",
                        &[],
                        __plate_size,
                        "x",
                        (&&::model_runtime::__private::DataLen(&x)).data_len(),
                    )?;
                    ::model_runtime::__private::check_plate_data(
                        "data",
                        &[],
                        __plate_size,
                        "y",
                        (&&::model_runtime::__private::DataLen(&y)).data_len(),
                    )?;
                }
                let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                for __plate_index_2 in 0..__plate_size {
                    let i = __plate_index_2;
                    ::model_runtime::__private::enumeration_begin::<
                        circular_regression::Sites,
                        __T,
                        __H,
                    >(__handler, "data");
                    let __plate_value = loop {
                        ::model_runtime::__private::enter::<
                            circular_regression::Sites,
                            __T,
                            __H,
                        >(__handler, "data", &[__plate_index_2]);
                        let __plate_value = {
                            {
                                ::model_runtime::__private::enter::<
                                    circular_regression::Sites,
                                    __T,
                                    __H,
                                >(__handler, "obs", &[__plate_index_2]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        VonMises::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(b * x[i]),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(kappa),
                                        ),
                                    );
                                    let __obs = y.map(|y| y[i]);
                                    ::model_runtime::__private::observe_scaled::<
                                        circular_regression::site::obs,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_2],
                                        __dist,
                                        ::model_runtime::__private::observed_data::<
                                            circular_regression::site::obs,
                                            _,
                                        >(&__obs),
                                        1.0,
                                    )?
                                }
                            };
                        };
                        if !::model_runtime::__private::enumeration_next::<
                            circular_regression::Sites,
                            __T,
                            __H,
                        >(__handler)? {
                            break __plate_value;
                        }
                    };
                    __plate_values.push(__plate_value);
                }
                __plate_values
            }
        };
        ::core::result::Result::Ok(())
    }
}
impl<'__model> ::model_runtime::__private::Body<::model_runtime::__private::Var>
for circular_regression::Model<'__model> {
    #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
    fn body<__H>(
        &self,
        __handler: &mut __H,
    ) -> ::core::result::Result<(), ::model_runtime::__private::ModelError>
    where
        __H: ::model_runtime::__private::Handler<
            circular_regression::Sites,
            ::model_runtime::__private::Var,
        >,
    {
        type __T = ::model_runtime::__private::Var;
        /// A data value as this body's scalar (see `model_runtime::scalar`).
        #[allow(dead_code)]
        fn scalar(x: f64) -> __T {
            <__T as ::model_runtime::__private::Scalar>::from_f64(x)
        }
        let x = self.x;
        let y = self.y;
        let b = {
            ::model_runtime::__private::enter::<
                circular_regression::Sites,
                __T,
                __H,
            >(__handler, "b", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Normal::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(0.0),
                        ::model_runtime::__private::IntoParam::<__T>::into_param(1.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    circular_regression::site::b,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.b)?
            }
        };
        let sigma = {
            ::model_runtime::__private::enter::<
                circular_regression::Sites,
                __T,
                __H,
            >(__handler, "sigma", &[]);
            {
                let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                    Exponential::new(
                        ::model_runtime::__private::IntoParam::<__T>::into_param(1.0),
                    ),
                );
                ::model_runtime::__private::sample_latent::<
                    circular_regression::site::sigma,
                    _,
                    __T,
                    __H,
                >(__handler, &[], __dist, &self.__reparam.sigma)?
            }
        };
        let kappa = 1.0 / (sigma * sigma);
        {
            ::model_runtime::__private::enter::<
                circular_regression::Sites,
                __T,
                __H,
            >(__handler, "data", &[]);
            {
                let __plate_size: usize = x.len();
                {
                    #[allow(unused_imports)]
                    use ::model_runtime::__private::{
                        KnownDataLen as _, UnknownDataLen as _,
                    };
                    ::model_runtime::__private::check_plate_data(
                        "data",
                        &[],
                        __plate_size,
                        "x",
                        (&&::model_runtime::__private::DataLen(&x)).data_len(),
                    )?;
                    ::model_runtime::__private::check_plate_data(
                        "data",
                        &[],
                        __plate_size,
                        "y",
                        (&&::model_runtime::__private::DataLen(&y)).data_len(),
                    )?;
                }
                let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                for __plate_index_2 in 0..__plate_size {
                    let i = __plate_index_2;
                    ::model_runtime::__private::enumeration_begin::<
                        circular_regression::Sites,
                        __T,
                        __H,
                    >(__handler, "data");
                    let __plate_value = loop {
                        ::model_runtime::__private::enter::<
                            circular_regression::Sites,
                            __T,
                            __H,
                        >(__handler, "data", &[__plate_index_2]);
                        let __plate_value = {
                            {
                                ::model_runtime::__private::enter::<
                                    circular_regression::Sites,
                                    __T,
                                    __H,
                                >(__handler, "obs", &[__plate_index_2]);
                                {
                                    let __dist = ::model_runtime::__private::IntoDistribution::into_distribution(
                                        VonMises::new(
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(b * x[i]),
                                            ::model_runtime::__private::IntoParam::<
                                                __T,
                                            >::into_param(kappa),
                                        ),
                                    );
                                    let __obs = y.map(|y| y[i]);
                                    ::model_runtime::__private::observe_scaled::<
                                        circular_regression::site::obs,
                                        _,
                                        __T,
                                        __H,
                                    >(
                                        __handler,
                                        &[__plate_index_2],
                                        __dist,
                                        ::model_runtime::__private::observed_data::<
                                            circular_regression::site::obs,
                                            _,
                                        >(&__obs),
                                        1.0,
                                    )?
                                }
                            };
                        };
                        if !::model_runtime::__private::enumeration_next::<
                            circular_regression::Sites,
                            __T,
                            __H,
                        >(__handler)? {
                            break __plate_value;
                        }
                    };
                    __plate_values.push(__plate_value);
                }
                __plate_values
            }
        };
        ::core::result::Result::Ok(())
    }
}
